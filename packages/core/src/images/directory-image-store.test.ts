import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DirectoryImageStore } from './directory-image-store.js';
import { virtualBootProblem } from '../nodes/virtual-node-boot.js';

/** A tar archive (GNU tar) of what `build` puts into a fresh folder. */
function tarOf(build: (dir: string) => void): Readable {
  const dir = mkdtempSync(join(tmpdir(), 'walt-h-tar-'));
  try {
    build(dir);
    return Readable.from([execFileSync('tar', ['-c', '-C', dir, ...readdirSync(dir)])]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function drain(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

/** Names in a tar archive. */
function tarNames(tar: Buffer): string[] {
  return execFileSync('tar', ['-t'], { input: tar }).toString().trim().split('\n');
}

describe('folder image store: every file access stays inside the image (issue 14 item 1)', () => {
  let base: string;
  let host: string;
  let store: DirectoryImageStore;
  const image = 'mallory/img:latest';
  const rootfs = () => join(base, 'images', 'mallory', 'img', 'latest', 'rootfs');

  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'walt-h-confine-'));
    host = join(base, 'host-secrets');
    mkdirSync(host);
    writeFileSync(join(host, 'secret'), 'host secret\n');
    store = new DirectoryImageStore(join(base, 'images'));
    DirectoryImageStore.writeImage(store.dir, image, { 'boot/pc-x86-64/kernel': 'k', 'usr/bin/true': 't', 'etc/hostname': 'img\n' }, { models: ['pc-x86-64'] });
    symlinkSync(host, join(rootfs(), 'boot', 'pwn')); // absolute link to a host folder
    symlinkSync(`../../../../../../../../../..${host}`, join(rootfs(), 'boot', 'up')); // the same with ".."
    symlinkSync('usr/bin', join(rootfs(), 'bin')); // an ordinary merged-/usr link
  });
  afterEach(() => rmSync(base, { recursive: true, force: true }));

  it('a tar PUT through an absolute or ".." link of the image never reaches the host folder', async () => {
    for (const path of ['/boot/pwn', '/boot/up', '/boot/pwn/', '/boot/up/.']) {
      const tar = tarOf((d) => writeFileSync(join(d, 'planted'), 'x'));
      await expect(store.importArchive(image, path, tar)).rejects.toThrow(/no directory/);
    }
    expect(readdirSync(host)).toEqual(['secret']);
  });

  it('a GET through such a link never reads the host file', async () => {
    for (const path of ['/boot/pwn/secret', '/boot/up/secret']) {
      await expect(store.exportArchive(image, path)).rejects.toThrow(/no such file/);
    }
    // The link itself is what the image holds: it is exported as a link.
    const tar = await drain(await store.exportArchive(image, '/boot/pwn'));
    expect(tarNames(tar)).toEqual(['pwn']);
    expect(tar.includes(Buffer.from('host secret'))).toBe(false);
  });

  it('links brought by the archive itself, or already in the image under the target, cannot be written through', async () => {
    const tar = tarOf((d) => {
      symlinkSync(host, join(d, 'lnk'));
      mkdirSync(join(d, 'pwn'));
      writeFileSync(join(d, 'pwn', 'planted'), 'x'); // merges into the image's /boot/pwn link: must stay inside
    });
    await store.importArchive(image, '/boot', tar).catch(() => undefined);
    const tar2 = tarOf((d) => writeFileSync(join(d, 'planted2'), 'x'));
    await expect(store.importArchive(image, '/boot/lnk', tar2)).rejects.toThrow(/no directory/);
    expect(readdirSync(host)).toEqual(['secret']);
  });

  it('links that stay inside the image are followed as a chroot would (/bin -> usr/bin)', async () => {
    await store.importArchive(image, '/bin', tarOf((d) => writeFileSync(join(d, 'hello'), 'hi\n')));
    expect(readFileSync(join(rootfs(), 'usr', 'bin', 'hello'), 'utf8')).toBe('hi\n');
    const tar = await drain(await store.exportArchive(image, '/bin/hello'));
    expect(tarNames(tar)).toEqual(['hello']);
    await store.importArchive(image, '/', tarOf((d) => {
      mkdirSync(join(d, 'etc'));
      writeFileSync(join(d, 'etc', 'motd'), 'm');
    }));
    expect(readFileSync(join(rootfs(), 'etc', 'hostname'), 'utf8')).toBe('img\n'); // merged, not replaced
    expect(existsSync(join(rootfs(), 'etc', 'motd'))).toBe(true);
  });

  it("a virtual node's boot check looks for the kernel inside the image only", () => {
    expect(virtualBootProblem(rootfs(), 'pc-x86-64', 'img')).toBeUndefined();
    rmSync(join(rootfs(), 'boot', 'pc-x86-64', 'kernel'));
    expect(virtualBootProblem(rootfs(), 'pc-x86-64', 'img')).toMatch(/has no kernel/);
    // A /boot link out of the image to a host folder that has a kernel: not followed.
    mkdirSync(join(host, 'pc-x86-64'));
    writeFileSync(join(host, 'pc-x86-64', 'kernel'), 'host kernel');
    rmSync(join(rootfs(), 'boot'), { recursive: true });
    symlinkSync(host, join(rootfs(), 'boot'));
    expect(virtualBootProblem(rootfs(), 'pc-x86-64', 'img')).toMatch(/has no \/boot\/pc-x86-64\//);
  });
});
