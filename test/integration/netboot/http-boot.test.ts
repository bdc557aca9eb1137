import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Device } from '../../../packages/core/src/devices/device.js';
import { DirectoryImageStore } from '../../../packages/core/src/images/directory-image-store.js';
import { HttpBootServer } from '../../../packages/core/src/network/tftp/http-boot-server.js';
import { TftpService } from '../../../packages/core/src/network/tftp/tftp-service.js';
import { ExtensionRegistry, emptyContributions } from '../../../packages/core/src/plugins/extension-registry.js';
import { ipxeProtocol } from '../../../packages/plugins/boot-ipxe/src/ipxe-protocol.js';
import { skipUnless } from '../../helpers/prerequisites.js';

const run = promisify(execFile);
const IMAGE = 'waltplatform/pc-x86-64-default:latest';

/**
 * Boot files over HTTP (what the images' start.ipxe tries before TFTP): the same names, per client
 * address, and the same confinement as TFTP; fetched with curl as iPXE would.
 */
describe.skipIf(skipUnless({ commands: ['curl'] }))('HTTP boot files on loopback', () => {
  let dir: string;
  let tftp: TftpService;
  let http: HttpBootServer;
  let base: string;
  const lines: string[] = [];
  const kernel = Buffer.alloc(2 * 1024 * 1024 + 5);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'walt-http-boot-'));
    for (let i = 0; i < kernel.length; i++) kernel[i] = (i * 31) & 0xff;
    const images = join(dir, 'images');
    DirectoryImageStore.writeImage(images, IMAGE, { 'boot/pc-x86-64/start.ipxe': '#!ipxe\n', 'boot/vmlinuz-6.1': kernel }, { models: ['pc-x86-64'] });
    const root = join(images, 'waltplatform/pc-x86-64-default/latest/rootfs');
    symlinkSync('../vmlinuz-6.1', join(root, 'boot/pc-x86-64/kernel'));
    symlinkSync('../../../../../../../../etc/hostname', join(root, 'boot/pc-x86-64/escape'));
    mkdirSync(join(dir, 'tftp-static'));
    const devices = new Map<string, Device>([
      ['127.0.0.1', { mac: '52:54:00:12:35:09', ip: '127.0.0.1', name: 'node-123509', type: 'node', virtual: false, model: 'pc-x86-64', image: IMAGE, conf: {}, createdAt: 0 }],
    ]);
    const extensions = new ExtensionRegistry();
    extensions.add('@walt/plugin-boot-ipxe', { ...emptyContributions(), bootProtocols: [ipxeProtocol({ undionlyPath: join(dir, 'none.kpxe') })] });
    extensions.add('@walt/plugin-pc-x86', { ...emptyContributions(), nodeModels: [{ id: 'pc-x86-64', family: 'pc', description: '', bootProtocol: 'ipxe', bootFiles: ['start.ipxe'] }] });
    const logs = { platform: (topic: string, line: string) => void lines.push(`${topic}: ${line}`) };
    tftp = new TftpService({ devices: { byIp: (ip: string) => devices.get(ip) }, images: new DirectoryImageStore(images), extensions, logs }, { host: '127.0.0.1', port: 0, serverIp: '127.0.0.1', staticDir: join(dir, 'tftp-static') });
    await tftp.start();
    http = new HttpBootServer(tftp, (line) => lines.push(`tftp: ${line}`));
    base = `http://127.0.0.1:${await http.listen('127.0.0.1', 0)}/boot`;
  });

  afterAll(async () => {
    await http?.stop();
    await tftp?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = async (path: string) => {
    const file = join(dir, `out-${Math.random().toString(36).slice(2)}`);
    const { stdout } = await run('curl', ['-s', '--path-as-is', '-o', file, '-w', '%{http_code}', `${base}/${path}`], { timeout: 20_000, encoding: 'utf8' });
    return { code: Number(stdout), file };
  };

  it("serves the node's kernel from its image's /boot/pc-x86-64 (link followed inside the image), byte for byte", async () => {
    const { code, file } = await get('kernel');
    expect(code).toBe(200);
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(file).equals(kernel)).toBe(true);
    expect(lines.some((l) => l.includes('127.0.0.1 fetched kernel') && l.includes('over HTTP'))).toBe(true);
  });

  it('refuses escapes and answers 404 for missing names, as TFTP does', async () => {
    expect((await get('escape')).code).toBe(403);
    expect((await get('..%2f..%2fetc%2fhostname')).code).toBe(403);
    expect((await get('absent')).code).toBe(404);
    const { stdout } = await run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '-X', 'POST', `${base}/kernel`], { encoding: 'utf8' });
    expect(stdout).toBe('405');
  });
});
