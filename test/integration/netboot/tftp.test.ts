import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectoryImageStore } from '../../../packages/core/src/images/directory-image-store.js';
import { ExtensionRegistry, emptyContributions } from '../../../packages/core/src/plugins/extension-registry.js';
import type { TransferSettings } from '../../../packages/core/src/network/tftp/transfer-pool.js';
import { TftpService } from '../../../packages/core/src/network/tftp/tftp-service.js';
import { tftpGet, TftpRemoteError } from '../../../packages/core/src/network/tftp/tftp-client.js';
import { decodeTransferPacket, encodeAck, encodeRequest } from '../../../packages/core/src/network/tftp/tftp-packets.js';
import type { Device } from '../../../packages/core/src/devices/device.js';
import { ubootProtocol } from '../../../packages/plugins/boot-uboot/src/uboot-protocol.js';
import { ipxeProtocol, IPXE_SCRIPT_NAME } from '../../../packages/plugins/boot-ipxe/src/ipxe-protocol.js';
import { waltIpxeScript } from '../../../packages/plugins/boot-ipxe/src/ipxe-script.js';
import { rpiFirmwareProtocol } from '../../../packages/plugins/boot-rpi-firmware/src/rpi-firmware-protocol.js';
import { skipUnless } from '../../helpers/prerequisites.js';

const run = promisify(execFile);
const IMAGE = 'waltplatform/rpi-3-b-plus-default:latest';

/**
 * The TFTP service alone, on loopback, with the real boot protocols and a real image folder:
 * stock clients (tftp-hpa, busybox, curl) and our windowsize client; escape attempts refused.
 */
describe.skipIf(skipUnless({ commands: ['tftp', 'busybox', 'curl'] }))('TFTP service on loopback', () => {
  let dir: string;
  let service: TftpService;
  let port: number;
  const lines: string[] = [];
  const startUboot = Buffer.from('#!uboot start script for rpi-3-b-plus\n'.repeat(100));
  const kernel = Buffer.alloc(3 * 1024 * 1024 + 17);
  const devices = new Map<string, Device>();
  let deps: ConstructorParameters<typeof TftpService>[0];
  let base: ConstructorParameters<typeof TftpService>[1];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'walt-tftp-'));
    for (let i = 0; i < kernel.length; i++) kernel[i] = (i * 7919) & 0xff;
    const images = join(dir, 'images');
    DirectoryImageStore.writeImage(images, IMAGE, {
      'boot/rpi-3-b-plus/start.uboot': startUboot,
      'boot/vmlinuz-6.1': kernel,
      'etc/passwd': 'root:x:0:0:image passwd\n',
    }, { models: ['rpi-3-b-plus'] });
    const root = join(images, 'waltplatform/rpi-3-b-plus-default/latest/rootfs');
    // Absolute symlink inside the image: resolved against the image root, as the node sees it.
    symlinkSync('/boot/vmlinuz-6.1', join(root, 'boot/rpi-3-b-plus/kernel'));
    symlinkSync('/etc/passwd', join(root, 'boot/rpi-3-b-plus/passwd-abs'));
    // Relative symlinks leading out of the image.
    symlinkSync('../../../../../../../../etc/hostname', join(root, 'boot/rpi-3-b-plus/escape'));
    symlinkSync('../../..', join(root, 'boot/rpi-3-b-plus/up'));
    const staticDir = join(dir, 'tftp-static');
    mkdirSync(staticDir);
    writeFileSync(join(staticDir, 'bootcode.bin'), 'rpi firmware bootcode');
    symlinkSync('/etc/hostname', join(staticDir, 'host-link'));
    const ipxeDir = join(dir, 'ipxe');
    mkdirSync(ipxeDir);
    writeFileSync(join(ipxeDir, 'undionly.kpxe'), 'fake undionly');

    devices.set('127.0.0.1', {
      mac: 'b8:27:eb:f2:67:82', ip: '127.0.0.1', name: 'node-f26782', type: 'node', virtual: false,
      model: 'rpi-3-b-plus', image: IMAGE, conf: {}, createdAt: 0,
    });
    const extensions = new ExtensionRegistry();
    extensions.add('@walt/plugin-boot-uboot', { ...emptyContributions(), bootProtocols: [ubootProtocol()] });
    extensions.add('@walt/plugin-boot-ipxe', {
      ...emptyContributions(),
      bootProtocols: [ipxeProtocol({ undionlyPath: join(ipxeDir, 'undionly.kpxe') })],
    });
    extensions.add('@walt/plugin-boot-rpi-firmware', { ...emptyContributions(), bootProtocols: [rpiFirmwareProtocol()] });
    extensions.add('@walt/plugin-rpi-3b-plus', {
      ...emptyContributions(),
      nodeModels: [{ id: 'rpi-3-b-plus', family: 'rpi', description: '', bootProtocol: 'rpi-firmware', bootFiles: ['start.uboot'] }],
    });
    deps = {
      devices: { byIp: (ip: string) => devices.get(ip) },
      images: new DirectoryImageStore(images),
      extensions,
      logs: { platform: (topic: string, line: string) => void lines.push(`${topic}: ${line}`) },
    };
    base = { host: '127.0.0.1', port: 0, serverIp: '127.0.0.1', staticDir };
    service = new TftpService(deps, base);
    port = await service.start();
  });

  afterAll(async () => {
    await service?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Log lines are written when the server sees the last ACK, just after the client is done. */
  async function logged(predicate: (line: string) => boolean): Promise<boolean> {
    for (let i = 0; i < 50; i++) {
      if (lines.some(predicate)) return true;
      await new Promise((r) => setTimeout(r, 20));
    }
    return false;
  }

  const out = (name: string) => join(dir, `out-${name}-${Math.random().toString(36).slice(2)}`);

  it("tftp-hpa fetches start.uboot: exactly the bytes of the image's /boot/rpi-3-b-plus/start.uboot", async () => {
    const file = out('hpa');
    await run('tftp', ['-m', 'binary', '127.0.0.1', String(port), '-c', 'get', 'start.uboot', file], { timeout: 20_000 });
    expect(readFileSync(file).equals(startUboot)).toBe(true);
    expect(await logged((l) => l.includes('node-f26782 (rpi-3-b-plus, 127.0.0.1) fetched start.uboot'))).toBe(true);
  });

  it('busybox tftp -b 1468 fetches a 3 MB kernel reached through an absolute symlink inside the image', async () => {
    const file = out('bb');
    await run('busybox', ['tftp', '-g', '-b', '1468', '-r', 'kernel', '-l', file, '127.0.0.1', String(port)], { timeout: 30_000 });
    expect(readFileSync(file).equals(kernel)).toBe(true);
    expect(await logged((l) => l.includes('fetched kernel') && l.includes('blksize 1468'))).toBe(true);
  });

  it('curl fetches over TFTP too (tsize, blksize)', async () => {
    const file = out('curl');
    await run('curl', ['-s', '--tftp-blksize', '1024', '-o', file, `tftp://127.0.0.1:${port}/start.uboot`], { timeout: 20_000 });
    expect(readFileSync(file).equals(startUboot)).toBe(true);
  });

  it('negotiates windowsize, blksize and tsize (RFC 7440, 2348, 2349) and sends the right bytes', async () => {
    for (const [blockSize, windowSize] of [[1468, 16], [512, 4], [8192, 8]]) {
      const r = await tftpGet('kernel', { host: '127.0.0.1', port, blockSize, windowSize, tsize: true });
      expect(r.options.get('windowsize')).toBe(String(windowSize));
      expect(r.options.get('blksize')).toBe(String(blockSize));
      expect(r.options.get('tsize')).toBe(String(kernel.length));
      expect(r.data.equals(kernel)).toBe(true);
    }
    expect(await logged((l) => l.includes('fetched kernel') && l.includes('windowsize 16'))).toBe(true);
  });

  it('sends a file whose size is a multiple of the block size (final empty block)', async () => {
    const exact = Buffer.alloc(1468 * 3, 1);
    writeFileSync(join(dir, 'images/waltplatform/rpi-3-b-plus-default/latest/rootfs/boot/rpi-3-b-plus/exact'), exact);
    const r = await tftpGet('exact', { host: '127.0.0.1', port, blockSize: 1468, windowSize: 2 });
    expect(r.data.equals(exact)).toBe(true);
  });

  it('serves the generated iPXE script and the static undionly loader', async () => {
    // From an address with no device yet (a PC on its way through PXE).
    const script = await tftpGet(IPXE_SCRIPT_NAME, { host: '127.0.0.1', port, localAddress: '127.0.0.3' });
    expect(script.data.toString()).toBe(waltIpxeScript());
    const loader = await tftpGet('pxe/walt-x86-undionly.kpxe', { host: '127.0.0.1', port, localAddress: '127.0.0.3' });
    expect(loader.data.toString()).toBe('fake undionly');
  });

  it('serves the static boot folder to a board that is not registered (another source address)', async () => {
    const r = await tftpGet('bootcode.bin', { host: '127.0.0.1', port, localAddress: '127.0.0.2' });
    expect(r.data.toString()).toBe('rpi firmware bootcode');
  });

  it('an absolute symlink inside the image points into the image, not to the host', async () => {
    const r = await tftpGet('passwd-abs', { host: '127.0.0.1', port });
    expect(r.data.toString()).toBe('root:x:0:0:image passwd\n');
  });

  it('answers "file not found" for a missing file, and says so in the log', async () => {
    await expect(tftpGet('no-such-file', { host: '127.0.0.1', port })).rejects.toMatchObject({ code: 1 });
    expect(await logged((l) => l.includes('asked for no-such-file: file not found'))).toBe(true);
  });

  /** Send one raw datagram to the server, return the first reply. */
  function raw(packet: Buffer, from = '127.0.0.1'): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const s = createSocket('udp4');
      const t = setTimeout(() => {
        s.close();
        reject(new Error('no reply'));
      }, 3000);
      s.on('message', (m) => {
        clearTimeout(t);
        s.close();
        resolve(m);
      });
      s.bind(0, from, () => s.send(packet, port, '127.0.0.1'));
    });
  }

  const escapes: Array<[string, Buffer, number]> = [
    ['../ in the name', encodeRequest('RRQ', '../../../../etc/passwd', 'octet'), 2],
    ['.. in the middle', encodeRequest('RRQ', 'boot/../../../etc/passwd', 'octet'), 2],
    ['an absolute path', encodeRequest('RRQ', '/etc/passwd', 'octet'), 2],
    ['a backslash path', encodeRequest('RRQ', '..\\..\\etc\\passwd', 'octet'), 2],
    ['a symlink leading out of the image', encodeRequest('RRQ', 'escape', 'octet'), 2],
    ['a directory symlink leading out of the image', encodeRequest('RRQ', 'up/../etc/passwd', 'octet'), 2],
    ['a NUL byte inside the name', Buffer.from('\x00\x01start.uboot\x00/../../../etc/passwd\x00octet\x00', 'latin1'), 4],
    ['a control character in the name', encodeRequest('RRQ', 'start.uboot\x01../x', 'octet'), 2],
  ];
  for (const [what, packet, code] of escapes) {
    it(`refuses ${what} with a TFTP error and a platform log line`, async () => {
      const before = lines.length;
      const reply = decodeTransferPacket(await raw(packet));
      expect(reply).toMatchObject({ op: 'ERROR', code });
      await new Promise((r) => setTimeout(r, 50));
      expect(lines.slice(before).some((l) => l.startsWith('tftp: refused'))).toBe(true);
    });
  }

  it('refuses a static-folder symlink to a host file outside the folder', async () => {
    const before = lines.length;
    await expect(tftpGet('host-link', { host: '127.0.0.1', port, localAddress: '127.0.0.2' })).rejects.toMatchObject({ code: 2 });
    expect(lines.slice(before).some((l) => l.includes("refused 'host-link'") && l.includes('outside its root'))).toBe(true);
  });

  it('refuses write requests', async () => {
    const reply = decodeTransferPacket(await raw(encodeRequest('WRQ', 'start.uboot', 'octet')));
    expect(reply).toMatchObject({ op: 'ERROR', code: 2 });
  });

  it('survives garbage, truncated packets and a PXE-style tsize probe abort, and keeps serving', async () => {
    const s = createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    const junk = [Buffer.alloc(0), Buffer.from([0]), Buffer.from([0, 1]), Buffer.from([0, 1, 65]), Buffer.from([0, 9, 1, 2, 3]),
      Buffer.from([0, 1, 0, 0]), encodeRequest('RRQ', 'x', 'mail'), encodeRequest('RRQ', 'start.uboot', 'octet', new Map([['blksize', 'abc']]))];
    for (let i = 0; i < 300; i++) junk.push(Buffer.from(Array.from({ length: (i * 37) % 600 }, (_, j) => (i * 31 + j * 17) & 0xff)));
    for (const j of junk) s.send(j, port, '127.0.0.1');
    // Let the burst drain: a full socket buffer would drop the probe's RRQ (it is not retransmitted here).
    await new Promise((r) => setTimeout(r, 500));
    // tsize probe: ask with tsize, get the OACK, abort with error 8 as PXE ROMs do.
    const oack = await new Promise<Buffer>((resolve) => {
      const c = createSocket('udp4');
      c.bind(0, '127.0.0.1', () => c.send(encodeRequest('RRQ', 'kernel', 'octet', new Map([['tsize', '0'], ['blksize', '1432']])), port, '127.0.0.1'));
      c.on('message', (m, rinfo) => {
        c.send(Buffer.from('\x00\x05\x00\x08tsize probe\x00', 'latin1'), rinfo.port, rinfo.address);
        c.close();
        resolve(m);
      });
    });
    expect(decodeTransferPacket(oack)).toMatchObject({ op: 'OACK' });
    s.close();
    const r = await tftpGet('start.uboot', { host: '127.0.0.1', port, blockSize: 1468 });
    expect(r.data.equals(startUboot)).toBe(true);
  });

  it('a client that stops acking times out alone; parallel transfers complete', async () => {
    // A stalled transfer: RRQ, then never ACK.
    const stalled = createSocket('udp4');
    await new Promise<void>((r) => stalled.bind(0, '127.0.0.1', () => r()));
    stalled.send(encodeRequest('RRQ', 'kernel', 'octet'), port, '127.0.0.1');
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => tftpGet(i % 2 ? 'kernel' : 'start.uboot', { host: '127.0.0.1', port, blockSize: 1468, windowSize: i % 3 ? 8 : undefined })),
    );
    results.forEach((r, i) => expect(r.data.equals(i % 2 ? kernel : startUboot)).toBe(true));
    stalled.close();
  });

  it('tftp-client reports remote errors as TftpRemoteError', async () => {
    await expect(tftpGet('../x', { host: '127.0.0.1', port })).rejects.toBeInstanceOf(TftpRemoteError);
  });

  it('acknowledges an ACK out of the window without breaking the transfer (duplicate ACK ignored)', async () => {
    const c = createSocket('udp4');
    const got: Buffer[] = [];
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('timeout')), 10_000);
      c.on('message', (m, rinfo) => {
        const p = decodeTransferPacket(m);
        if (p?.op !== 'DATA') return reject(new Error(`unexpected ${JSON.stringify(p)}`));
        if (p.block === got.length + 1) got.push(Buffer.from(p.data));
        // Duplicate the previous ACK first (a delayed ACK), then the real one.
        c.send(encodeAck(p.block - 1), rinfo.port, rinfo.address);
        c.send(encodeAck(p.block), rinfo.port, rinfo.address);
        if (p.data.length < 512) {
          clearTimeout(t);
          resolve();
        }
      });
      c.bind(0, '127.0.0.1', () => c.send(encodeRequest('RRQ', 'start.uboot', 'octet'), port, '127.0.0.1'));
    });
    c.close();
    expect(Buffer.concat(got).equals(startUboot)).toBe(true);
  });
  it('runs transfers on the native sender by default (@walt/tftp-native, built by `npm install`)', () => {
    expect(service.describeTransfers()).toMatch(/^the native sender/);
  });

  /** 20 transfers at once, mixed clients, block sizes, windows and modes; every byte checked. */
  async function parallelTransfers(p: number): Promise<void> {
    const fetches: Array<Promise<void>> = [];
    for (let i = 0; i < 14; i++) {
      const [blockSize, windowSize] = [[1468, 32], [512, 1], [8192, 4], [1468, 1], [65464, 2], [1024, 16], [1432, 64]][i % 7];
      fetches.push(
        tftpGet(i % 3 ? 'kernel' : 'start.uboot', { host: '127.0.0.1', port: p, blockSize, windowSize: windowSize > 1 ? windowSize : undefined }).then((r) =>
          expect(r.data.equals(i % 3 ? kernel : startUboot), `transfer ${i} (blksize ${blockSize}, windowsize ${windowSize})`).toBe(true),
        ),
      );
    }
    for (let i = 0; i < 4; i++) {
      const file = out(`par-bb-${i}`);
      fetches.push(
        run('busybox', ['tftp', '-g', '-b', '1468', '-r', 'kernel', '-l', file, '127.0.0.1', String(p)], { timeout: 60_000 }).then(() =>
          expect(readFileSync(file).equals(kernel), `busybox ${i}`).toBe(true),
        ),
      );
    }
    // netascii (tftp-hpa converts back on its side) and plain RFC 1350 without options.
    const ascii = out('par-ascii');
    fetches.push(run('tftp', ['-m', 'ascii', '127.0.0.1', String(p), '-c', 'get', 'start.uboot', ascii], { timeout: 60_000 }).then(() => expect(readFileSync(ascii).equals(startUboot)).toBe(true)));
    const octet = out('par-octet');
    fetches.push(run('tftp', ['-m', 'binary', '127.0.0.1', String(p), '-c', 'get', 'kernel', octet], { timeout: 60_000 }).then(() => expect(readFileSync(octet).equals(kernel)).toBe(true)));
    await Promise.all(fetches);
  }

  it('20 parallel transfers on the native sender arrive intact, byte for byte', async () => {
    await parallelTransfers(port);
  }, 120_000);

  const engines: Array<[string, TransferSettings, RegExp]> = [
    ['the native sender without busy-poll', { engine: 'native', busyPollMicros: 0 }, /^the native sender \(\d+ event threads?\)$/],
    ['2 worker threads', { engine: 'threads', workers: 2 }, /^2 worker threads$/],
    ['the main thread', { engine: 'threads', workers: 0 }, /^the main thread$/],
  ];
  for (const [where, transfers, described] of engines) {
    it(`on ${where}: parallel transfers intact, and a stalled client times out alone and is logged`, async () => {
      const other = new TftpService(deps, { ...base, transfers, limits: { defaultTimeoutMs: 200 } });
      const p = await other.start();
      const before = lines.length;
      try {
        expect(other.describeTransfers()).toMatch(described);
        const stalled = createSocket('udp4');
        await new Promise<void>((r) => stalled.bind(0, '127.0.0.1', () => r()));
        stalled.send(encodeRequest('RRQ', 'kernel', 'octet'), p, '127.0.0.1');
        await parallelTransfers(p);
        // 6 retransmissions 200 ms apart, then the transfer gives up.
        let timedOut = false;
        for (let i = 0; i < 100 && !timedOut; i++) {
          timedOut = lines.slice(before).some((l) => l.includes('sending kernel to node-f26782') && l.includes('timed out waiting for the client'));
          if (!timedOut) await new Promise((r) => setTimeout(r, 50));
        }
        stalled.close();
        expect(timedOut).toBe(true);
      } finally {
        await other.stop();
      }
    }, 120_000);
  }
});
