import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectoryImageStore } from '../../../packages/core/src/images/directory-image-store.js';
import { createTestNetwork, type TestNetwork } from '../../helpers/netns.js';
import { platformLines } from '../../helpers/platform-log.js';
import { runNode, startServer, type ServerHandle } from '../../helpers/walt-processes.js';

const SUBNET = '192.168.173';
/** An HTTP request made inside the server's namespace (its API is on that namespace's loopback): prints the status, then the body. */
const REQUEST_SCRIPT = `import { request } from 'node:http';
const [url, token, body] = process.argv.slice(2);
const req = request(url, { method: body ? 'POST' : 'GET', headers: { authorization: 'Bearer ' + token, ...(body ? { 'content-type': 'application/json' } : {}) } }, (res) => {
  if (!body) { console.log(res.statusCode); res.destroy(); process.exit(0); }
  let text = ''; res.on('data', (c) => (text += c)); res.on('end', () => { console.log(res.statusCode); console.log(text); });
});
req.end(body || undefined);
`;

/**
 * Issue 14 item 3: the console of another user's virtual node (and its input) needs the explicit
 * confirmation, as the other node commands, and is logged with both names. The VM never starts (the
 * image has no kernel, the qemu found is a stand-in): the check is the server's, before any VM.
 */
describe("another user's virtual node console", () => {
  let server: ServerHandle;
  let net: TestNetwork;
  let work: string;
  let base: string;
  let script: string;
  const inNamespace = async (url: string, user: string, body?: string) => {
    const r = await runNode(script, [url, await server.token(user), ...(body ? [body] : [])], { netns: net.serverNs, timeoutMs: 30_000 });
    expect(r.code, r.stderr).toBe(0);
    return r.stdout.split('\n');
  };

  /** The status of GET console (the stream is closed as soon as the headers came). */
  const consoleStatus = async (user: string, confirmed: boolean) => Number((await inNamespace(`${base}/api/v1/nodes/vn2/console?confirmed=${confirmed}`, user))[0]);
  const input = async (user: string, confirmed?: boolean) => {
    const body = JSON.stringify({ data: Buffer.from('reboot\n').toString('base64'), ...(confirmed === undefined ? {} : { confirmed }) });
    const [status, text] = await inNamespace(`${base}/api/v1/nodes/vn2/console/input`, user, body);
    return { status: Number(status), body: JSON.parse(text) as { error?: { code: string } } };
  };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'walt-m-console-'));
    script = join(work, 'request.mjs');
    writeFileSync(script, REQUEST_SCRIPT);
    // Virtual nodes need the walt-net bridge: a virtual-only walt-net in a namespace.
    net = createTestNetwork({ tag: 'vncons', subnet: SUBNET });
    const images = join(work, 'images');
    DirectoryImageStore.writeImage(images, 'waltplatform/pc-x86-64-default:latest', { 'boot/pc-x86-64/cmdline': 'console=ttyS0' }, { models: ['pc-x86-64'] });
    const bin = join(work, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'qemu-system-x86_64'), '#!/bin/sh\nexit 1\n');
    chmodSync(join(bin, 'qemu-system-x86_64'), 0o755);
    server = await startServer({
      netns: net.serverNs,
      config: `network:\n  walt-net:\n    raw-device: null\n    ip: ${SUBNET}.1/24\napi:\n  port: 0\nimages:\n  directory: ${images}\n`,
      env: { PATH: `${bin}:${process.env.PATH}` },
    });
    base = `http://${server.address}`;
    const created = await server.walt(['node', 'create', 'vn2']);
    expect(created.code, created.stderr).toBe(0);
  });

  afterAll(async () => {
    await server?.stop({ cleanup: true });
    net?.destroy();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('the owner attaches; another user needs the confirmation (logged with both names); input likewise', async () => {
    expect(await consoleStatus('alice', false)).toBe(200);
    expect(await consoleStatus('bob', false)).toBe(409);
    expect((await input('bob')).body.error?.code).toBe('needs-confirmation');
    expect(await consoleStatus('bob', true)).toBe(200);
    expect((await input('bob', true)).body.error?.code).not.toBe('needs-confirmation');
    expect(platformLines(server.dataDir, 'platform.nodes')).toContain("user bob confirmed node console on other users' nodes: vn2 (of alice)");

    const cli = await server.walt(['node', 'console', 'vn2'], { user: 'bob' });
    expect(cli.code).not.toBe(0);
    expect(cli.stderr).toBe('Error: Node vn2 seems to be used by another user: use --yes to connect anyway.\n');
  });
});
