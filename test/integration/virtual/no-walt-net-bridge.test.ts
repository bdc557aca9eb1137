import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectoryImageStore } from '../../../packages/core/src/images/directory-image-store.js';
import { createTestNetwork, ip } from '../../helpers/netns.js';
import { platformLines } from '../../helpers/platform-log.js';
import { skipUnless } from '../../helpers/prerequisites.js';
import { startServer, type ServerHandle } from '../../helpers/walt-processes.js';

const L = (process.env.WALT_TEST_NETNS_PREFIX ?? '').slice(0, 1);

/**
 * Virtual nodes PXE-boot on a tap of the walt-net bridge, and only so (docs/decisions: virtual nodes
 * PXE only). Where walt-net has no bridge, `walt node create` refuses in one line that says why, and
 * nothing is made: no node, no image in the user's working set, no VM (the qemu the server finds is a
 * stand-in that records being run). Two servers: walt-net's address on no interface at all (the
 * interface set-up skipped, as on a host where it failed), and on an interface that is not a bridge.
 */
describe.skipIf(skipUnless({ root: true, commands: ['ip'] }))('virtual nodes without a walt-net bridge', () => {
  let work: string;
  const NS = `${L}wnobr`;
  const DUMMY = `${L}wnobrd0`;
  const qemuRan = () => existsSync(join(work, 'qemu-was-run'));
  const servers: ServerHandle[] = [];

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'walt-nobridge-'));
    DirectoryImageStore.writeImage(join(work, 'images'), 'waltplatform/pc-x86-64-default:latest', { 'boot/pc-x86-64/kernel': 'k', 'boot/pc-x86-64/start.ipxe': '#!ipxe\n' }, { models: ['pc-x86-64'] });
    const bin = join(work, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'qemu-system-x86_64'), `#!/bin/sh\ntouch ${join(work, 'qemu-was-run')}\nexit 1\n`);
    chmodSync(join(bin, 'qemu-system-x86_64'), 0o755);
    try {
      ip('netns', 'del', NS);
    } catch {
      /* not there */
    }
    ip('netns', 'add', NS);
    ip('-n', NS, 'link', 'set', 'lo', 'up');
    // walt-net's address on a plain interface: taps cannot join it.
    ip('-n', NS, 'link', 'add', DUMMY, 'type', 'veth', 'peer', 'name', `${DUMMY}p`);
    ip('-n', NS, 'addr', 'add', '192.168.173.1/24', 'dev', DUMMY);
    ip('-n', NS, 'link', 'set', DUMMY, 'up');
  });

  afterAll(async () => {
    for (const s of servers) await s.stop({ cleanup: true });
    try {
      ip('netns', 'del', NS);
    } catch {
      /* already gone */
    }
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const serve = async (subnet: string, netns?: string) => {
    const server = await startServer({
      netns,
      config: `network:\n  walt-net:\n    raw-device: null\n    ip: ${subnet}.1/24\napi:\n  port: 0\nimages:\n  directory: ${join(work, 'images')}\n`,
      env: { PATH: `${join(work, 'bin')}:${process.env.PATH}` },
    });
    servers.push(server);
    return server;
  };

  const refused = async (server: ServerHandle, reason: RegExp) => {
    const created = await server.walt(['node', 'create', 'vn1']);
    expect(created.code).not.toBe(0);
    expect(created.stderr.trim().split('\n')).toHaveLength(1);
    expect(created.stderr).toMatch(reason);
    const nodes = await server.walt(['node', 'show', '--all', '--names-only']);
    expect(nodes.stdout.split('\n')).not.toContain('vn1');
    const images = await server.walt(['image', 'show', '--names-only']);
    expect(images.code, images.stderr).toBe(0);
    expect(images.stdout).not.toContain('pc-x86-64-default');
    expect(qemuRan()).toBe(false);
    expect(server.process.exitCode).toBeNull();
  };

  it('no interface holds walt-net’s address: node create refuses in one line, nothing made', async () => {
    // The server runs with WALT_SKIP_NETWORK_SETUP (vitest.config.ts): no bridge is made, and no interface of the host holds 192.168.172.1.
    const server = await serve('192.168.172');
    await refused(server, /virtual nodes need the walt-net bridge: no interface holds walt-net's address 192\.168\.172\.1 \(/);
  });

  it('walt-net’s address is on an interface that is not a bridge: node create refuses in one line, nothing made', async () => {
    const server = await serve('192.168.173', NS);
    await refused(server, new RegExp(`virtual nodes need the walt-net bridge: walt-net's address 192\\.168\\.173\\.1 is on ${DUMMY}, which is not a bridge`));
  });

  it('the bridge gone after node create: each VM start fails with the one-line reason, the server goes on', async () => {
    const net = createTestNetwork({ tag: 'vngone', subnet: '192.168.175' });
    try {
      const server = await serve('192.168.175', net.serverNs);
      const created = await server.walt(['node', 'create', 'vn2']);
      expect(created.code, created.stderr).toBe(0);
      // walt-net's address leaves the bridge (an admin's mistake): the VM's next start cannot plug into anything.
      ip('-n', net.serverNs, 'addr', 'del', '192.168.175.1/24', 'dev', net.serverIf);
      await server.walt(['node', 'reboot', '--hard', 'vn2']);
      const reason = "cannot start VM of vn2: virtual nodes need the walt-net bridge: no interface holds walt-net's address 192.168.175.1 (";
      let lines: string[] = [];
      for (const end = Date.now() + 60_000; !lines.length && Date.now() < end; ) {
        await new Promise((r) => setTimeout(r, 500));
        lines = platformLines(server.dataDir, 'platform.nodes').filter((l) => l.startsWith(reason));
      }
      expect(lines[0], platformLines(server.dataDir, 'platform.nodes').join('\n')).toMatch(/\(next try in \d+ s\)$/);
      const show = await server.walt(['node', 'show']);
      expect(show.stdout).toMatch(/^vn2 is not booted: virtual nodes need the walt-net bridge: no interface holds/m);
      expect(server.process.exitCode).toBeNull();
      expect((await server.walt(['node', 'remove', 'vn2'])).code).toBe(0);
    } finally {
      net.destroy();
    }
  });
});
