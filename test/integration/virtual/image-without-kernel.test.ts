import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectoryImageStore } from '../../../packages/core/src/images/directory-image-store.js';
import { createTestNetwork, type TestNetwork } from '../../helpers/netns.js';
import { platformLines } from '../../helpers/platform-log.js';
import { skipUnless } from '../../helpers/prerequisites.js';
import { startServer, type ServerHandle } from '../../helpers/walt-processes.js';

/**
 * Issue 10 item 5: a virtual node whose image has no kernel. No VM may start (the image cannot boot
 * one): the qemu the server finds is a stand-in that only records that it was run. The server is
 * on a virtual-only walt-net (the bridge of a namespace), where virtual nodes can boot.
 */
describe.skipIf(skipUnless({ root: true, commands: ['ip'] }))('a virtual node whose image has no kernel', () => {
  let server: ServerHandle;
  let net: TestNetwork;
  let work: string;
  const qemuRan = () => existsSync(join(work, 'qemu-was-run'));

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'walt-nokernel-'));
    const images = join(work, 'images');
    DirectoryImageStore.writeImage(images, 'waltplatform/pc-x86-64-default:latest', { 'boot/pc-x86-64/cmdline': 'console=ttyS0' }, { models: ['pc-x86-64'] });
    const bin = join(work, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'qemu-system-x86_64'), `#!/bin/sh\ntouch ${join(work, 'qemu-was-run')}\nexit 1\n`);
    chmodSync(join(bin, 'qemu-system-x86_64'), 0o755);
    net = createTestNetwork({ tag: 'vnnokr', subnet: '192.168.174' });
    server = await startServer({
      netns: net.serverNs,
      config: `network:\n  walt-net:\n    raw-device: null\n    ip: ${net.serverIp}/24\napi:\n  port: 0\nimages:\n  directory: ${images}\n`,
      env: { PATH: `${bin}:${process.env.PATH}` },
    });
  });

  afterAll(async () => {
    await server?.stop({ cleanup: true });
    net?.destroy();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('node create says it cannot boot, node show says why, and the retries back off', async () => {
    const created = await server.walt(['node', 'create', 'vn1']);
    expect(created.code, created.stderr).toBe(0); // the node exists: it can be given another image
    expect(created.stdout).toContain('Node vn1 was created, but it cannot boot your image "pc-x86-64-default".');
    expect(created.stdout).not.toContain('is now booting');
    expect(created.stderr).toBe(
      "Warning: image pc-x86-64-default has no kernel in /boot/pc-x86-64/ (expected 'kernel' or 'vmlinuz*'); vn1 will not boot until it boots another image (walt node boot vn1 <image>) or this one gets a kernel (then walt node reboot vn1).\n",
    );

    const show = await server.walt(['node', 'show']);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toMatch(/^vn1 is not booted: image .*pc-x86-64-default.* has no kernel in \/boot\/pc-x86-64\/ \(expected 'kernel' or 'vmlinuz\*'\)\.$/m);
    const json = await server.walt(['node', 'show', '--json']);
    expect(JSON.parse(json.stdout)).toEqual([expect.objectContaining({ name: 'vn1', booted: 'NO', bootProblem: expect.stringContaining('has no kernel') })]);

    // Each try says when the next one is: 2 s, then 4, then 8 (the exact timing is the unit test's, with fake timers).
    let tries: string[] = [];
    for (const end = Date.now() + 30_000; tries.length < 3 && Date.now() < end; ) {
      await new Promise((r) => setTimeout(r, 500));
      tries = platformLines(server.dataDir, 'platform.nodes').filter((l) => l.startsWith('cannot start VM of vn1'));
    }
    expect(tries.slice(0, 3).map((l) => /\(next try in (\d+) s\)$/.exec(l)?.[1]), tries.join('\n')).toEqual(['2', '4', '8']);
    expect(tries[0]).toContain("has no kernel in /boot/pc-x86-64/ (expected 'kernel' or 'vmlinuz*')");
    expect(qemuRan()).toBe(false);
    expect(server.process.exitCode).toBeNull();

    const removed = await server.walt(['node', 'remove', 'vn1']);
    expect(removed.code, removed.stderr).toBe(0);
  });
});
