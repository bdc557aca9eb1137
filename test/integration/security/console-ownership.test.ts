import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectoryImageStore } from '../../../packages/core/src/images/directory-image-store.js';
import { authHeaders } from '../../helpers/api-token.js';
import { platformLines } from '../../helpers/platform-log.js';
import { startServer, type ServerHandle } from '../../helpers/walt-processes.js';

/**
 * Issue 14 item 3: the console of another user's virtual node (and its input) needs the explicit
 * confirmation, as the other node commands, and is logged with both names. The VM never starts (the
 * image has no kernel, the qemu found is a stand-in): the check is the server's, before any VM.
 */
describe("another user's virtual node console", () => {
  let server: ServerHandle;
  let work: string;
  let base: string;

  /** The status of GET console (the stream is closed as soon as the headers came). */
  const consoleStatus = async (user: string, confirmed: boolean) => {
    const headers = await authHeaders(base, user);
    return new Promise<number>((resolve, reject) => {
      const req = request(`${base}/api/v1/nodes/vn2/console?confirmed=${confirmed}`, { headers }, (res) => {
        resolve(res.statusCode ?? 0);
        res.destroy();
      });
      req.on('error', reject);
      req.end();
    });
  };
  const input = async (user: string, confirmed?: boolean) => {
    const res = await fetch(`${base}/api/v1/nodes/vn2/console/input`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await authHeaders(base, user)) },
      body: JSON.stringify({ data: Buffer.from('reboot\n').toString('base64'), ...(confirmed === undefined ? {} : { confirmed }) }),
    });
    return { status: res.status, body: (await res.json()) as { error?: { code: string } } };
  };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'walt-m-console-'));
    const images = join(work, 'images');
    DirectoryImageStore.writeImage(images, 'waltplatform/pc-x86-64-default:latest', { 'boot/pc-x86-64/cmdline': 'console=ttyS0' }, { models: ['pc-x86-64'] });
    const bin = join(work, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'qemu-system-x86_64'), '#!/bin/sh\nexit 1\n');
    chmodSync(join(bin, 'qemu-system-x86_64'), 0o755);
    server = await startServer({
      config: `network:\n  walt-net:\n    raw-device: null\n    ip: 192.168.152.1/24\napi:\n  port: 0\nimages:\n  directory: ${images}\n`,
      env: { PATH: `${bin}:${process.env.PATH}` },
    });
    base = `http://${server.address}`;
    const created = await server.walt(['node', 'create', 'vn2']);
    expect(created.code, created.stderr).toBe(0);
  });

  afterAll(async () => {
    await server?.stop({ cleanup: true });
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
