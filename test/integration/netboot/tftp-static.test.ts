import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectoryImageStore } from '../../../packages/core/src/images/directory-image-store.js';
import { ExtensionRegistry, emptyContributions } from '../../../packages/core/src/plugins/extension-registry.js';
import { TftpService } from '../../../packages/core/src/network/tftp/tftp-service.js';
import type { Device } from '../../../packages/core/src/devices/device.js';
import { ubootProtocol } from '../../../packages/plugins/boot-uboot/src/uboot-protocol.js';
import { ipxeProtocol } from '../../../packages/plugins/boot-ipxe/src/ipxe-protocol.js';
import { rpiFirmwareProtocol, RPI_STATIC_FILES } from '../../../packages/plugins/boot-rpi-firmware/src/rpi-firmware-protocol.js';
import { udhcpc } from '../../helpers/dhcp-client.js';
import { createTestNetwork, inNetns, type TestNetwork } from '../../helpers/netns.js';
import { skipUnless } from '../../helpers/prerequisites.js';
import { runNode, startServer, WALT_SERVER_SETUP_BIN, type ServerHandle } from '../../helpers/walt-processes.js';

const run = promisify(execFile);
/** The .deb files are kept outside the checkout, so that reruns download nothing. */
const DEB_CACHE = process.env.WALT_TEST_DEB_CACHE ?? '/var/tmp/walt-test-debs';
const SERVER_CONF = 'network:\n  walt-net:\n    raw-device: null\n    ip: 192.168.152.1/24\napi:\n  port: 0\n';
const warningLines = (out: string) => out.split('\n').filter((l) => l.includes('platform.tftp -> warning:'));

describe.skipIf(skipUnless({ root: true, commands: ['apt-get', 'dpkg-deb', 'tftp', 'busybox', 'mkimage'], files: ['/usr/share/keyrings/debian-archive-keyring.gpg'] }))(
  "tftp-static built by walt-server-setup from Debian's packages",
  () => {
    let dataDir: string;
    let staticDir: string;
    let built = false;
    let net: TestNetwork | undefined;
    let server: ServerHandle | undefined;

    beforeAll(async () => {
      dataDir = mkdtempSync(join(tmpdir(), 'walt-tftp-static-'));
      staticDir = join(dataDir, 'tftp-static');
      const r = await runNode(WALT_SERVER_SETUP_BIN, ['--tftp-static', '--data-dir', dataDir, '--deb-cache', DEB_CACHE], { timeoutMs: 600_000 });
      if (r.code !== 0) {
        // Debian's mirror out of reach: CI reaches it, so there this is a failure; elsewhere a skip.
        if (process.env.CI === 'true') throw new Error(`walt-server-setup --tftp-static failed under CI:\n${r.stdout}${r.stderr}`);
        console.warn(`skipping: walt-server-setup --tftp-static could not download the packages: ${r.stderr.trim()}`);
        return;
      }
      built = true;
    }, 660_000);

    afterAll(async () => {
      await server?.stop();
      net?.destroy();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('holds the firmware, U-Boot, the device trees and the WalT files that chain them', ({ skip }) => {
      if (!built) skip();
      const files = execFileSync('ls', [staticDir], { encoding: 'utf8' }).split('\n').filter(Boolean);
      for (const f of [...RPI_STATIC_FILES, 'cmdline.txt', 'bcm2710-rpi-3-b.dtb', 'bcm2710-rpi-3-b-plus.dtb', 'bcm2711-rpi-4-b.dtb', 'bcm2711-rpi-400.dtb', 'LICENCE.broadcom', 'COPYING.linux', 'walt.date', 'boot.scr.uimg']) {
        expect(files).toContain(f);
      }
      // Real firmware (bootcode.bin is a VideoCore binary of tens of KB), real 64-bit U-Boot.
      expect(readFileSync(join(staticDir, 'bootcode.bin')).length).toBeGreaterThan(20_000);
      expect(readFileSync(join(staticDir, 'u-boot-rpi-3-b.img')).includes(Buffer.from('U-Boot'))).toBe(true);
      const config = readFileSync(join(staticDir, 'config.txt'), 'utf8');
      expect(config).toMatch(/\[pi3\+\]\narm_64bit=1\nkernel=u-boot-rpi-3-b\.img/);
      expect(config).toMatch(/\[pi4\]\narm_64bit=1\nkernel=u-boot-rpi-4-b\.img/);
      // U-Boot's own tool accepts the script image (header and data CRCs).
      const listed = execFileSync('mkimage', ['-l', join(staticDir, 'boot.scr.uimg')], { encoding: 'utf8' });
      expect(listed).toMatch(/Script/);
      expect(readFileSync(join(staticDir, 'boot.scr.uimg')).toString('latin1')).toMatch(/setenv bootp_vci walt\.node\.\$\{walt_model\}/);
    });

    it('a Raspberry Pi without SD card (firmware client, unknown board) gets bootcode.bin and start.elf over TFTP, and the server does not warn', async ({ skip }) => {
      if (!built) skip();
      net = createTestNetwork({ tag: 'tstat', subnet: '192.168.154' });
      const images = join(dataDir, 'images');
      mkdirSync(images, { recursive: true });
      server = await startServer({
        netns: net.serverNs,
        dataDir,
        config: `network:\n  walt-net:\n    raw-device: ${net.serverIf}\n    ip: ${net.serverIp}/${net.prefix}\nimages:\n  directory: ${images}\napi:\n  port: 0\n`,
      });
      expect(warningLines(server.output())).toEqual([]);
      const client = net.addClient('b8:27:eb:c3:54:01');
      const lease = udhcpc(client.ns, client.ifname, { vendorClass: 'PXEClient:Arch:00000:UNDI:002001' });
      inNetns(client.ns, 'ip', ['addr', 'add', `${lease.ip}/24`, 'dev', client.ifname]);
      for (const name of ['bootcode.bin', 'start.elf']) {
        const got = join(dataDir, `got-${name}`);
        inNetns(client.ns, 'tftp', ['-m', 'binary', net.serverIp, '-c', 'get', name, got], 60_000);
        expect(readFileSync(got).equals(readFileSync(join(staticDir, name)))).toBe(true);
      }
    });
  },
);

describe('start-up warning when the static boot files are missing', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('says once which files lack and the command that builds them; says nothing once they are there', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'walt-static-warn-'));
    dirs.push(dataDir);
    let server = await startServer({ dataDir, config: SERVER_CONF });
    // Started, not just listening: the start-up warnings come before the ready line (echo is batched).
    await server.waitForOutput(/walt-server ready/);
    await server.stop();
    const lines = warningLines(server.output());
    expect(lines, server.output()).toHaveLength(1);
    expect(lines[0]).toContain(`${join(dataDir, 'tftp-static')} lacks bootcode.bin, start.elf, fixup.dat, start4.elf and 4 more, needed by boot protocol rpi-firmware`);
    expect(lines[0]).toContain("run 'walt-server-setup --tftp-static'");

    const staticDir = join(dataDir, 'tftp-static');
    mkdirSync(staticDir, { recursive: true });
    for (const f of RPI_STATIC_FILES) writeFileSync(join(staticDir, f), f);
    server = await startServer({ dataDir, config: SERVER_CONF });
    await server.waitForOutput(/walt-server ready/);
    await server.stop();
    expect(warningLines(server.output())).toEqual([]);
  });

  it('walt-server-setup --tftp-static --from-tarball installs the tarball as tftp-static, with the WalT config.txt when it has none', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'walt-static-tar-'));
    dirs.push(dir);
    const source = join(dir, 'src', 'tftp-static');
    mkdirSync(source, { recursive: true });
    writeFileSync(join(source, 'bootcode.bin'), 'my bootcode');
    execFileSync('tar', ['-czf', join(dir, 'files.tgz'), '-C', join(dir, 'src'), 'tftp-static']);
    const dataDir = join(dir, 'data');
    const r = await runNode(WALT_SERVER_SETUP_BIN, ['--tftp-static', '--from-tarball', join(dir, 'files.tgz'), '--data-dir', dataDir]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(dataDir, 'tftp-static', 'bootcode.bin'), 'utf8')).toBe('my bootcode');
    expect(readFileSync(join(dataDir, 'tftp-static', 'config.txt'), 'utf8')).toMatch(/kernel=u-boot-rpi-3-b\.img/);
    // A tarball that is not there changes nothing and says so in one line.
    const bad = await runNode(WALT_SERVER_SETUP_BIN, ['--tftp-static', '--from-tarball', join(dir, 'nope.tgz'), '--data-dir', dataDir]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/cannot build tftp-static: no such file: .*nope\.tgz/);
    expect(readFileSync(join(dataDir, 'tftp-static', 'bootcode.bin'), 'utf8')).toBe('my bootcode');
  });
});

describe.skipIf(skipUnless({ commands: ['tftp'] }))("the original's legacy TFTP names", () => {
  let dir: string;
  let service: TftpService;
  let port: number;
  const startUboot = Buffer.from('# start.uboot of rpi-3-b-plus\n');
  const startIpxe = Buffer.from('#!ipxe\n# start.ipxe of pc-x86-64\n');
  const nodes = new Map<'rpi' | 'pc', Device>();
  let at: 'rpi' | 'pc' = 'rpi';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'walt-legacy-'));
    const images = join(dir, 'images');
    DirectoryImageStore.writeImage(images, 'waltplatform/rpi-3-b-plus-default:latest', { 'boot/rpi-3-b-plus/start.uboot': startUboot }, { models: ['rpi-3-b-plus'] });
    DirectoryImageStore.writeImage(images, 'waltplatform/pc-x86-64-default:latest', { 'boot/pc-x86-64/start.ipxe': startIpxe }, { models: ['pc-x86-64'] });
    const ipxeDir = join(dir, 'ipxe');
    mkdirSync(ipxeDir);
    writeFileSync(join(ipxeDir, 'undionly.kpxe'), 'the undionly loader');
    nodes.set('rpi', { mac: 'b8:27:eb:00:00:01', ip: '127.0.0.1', name: 'rpi-1', type: 'node', virtual: false, model: 'rpi-3-b-plus', image: 'waltplatform/rpi-3-b-plus-default:latest', conf: {}, createdAt: 0 });
    nodes.set('pc', { mac: '52:54:00:00:00:02', ip: '127.0.0.1', name: 'pc-2', type: 'node', virtual: false, model: 'pc-x86-64', image: 'waltplatform/pc-x86-64-default:latest', conf: {}, createdAt: 0 });
    const extensions = new ExtensionRegistry();
    extensions.add('@walt/plugin-boot-uboot', { ...emptyContributions(), bootProtocols: [ubootProtocol()] });
    extensions.add('@walt/plugin-boot-ipxe', { ...emptyContributions(), bootProtocols: [ipxeProtocol({ undionlyPath: join(ipxeDir, 'undionly.kpxe') })] });
    extensions.add('@walt/plugin-boot-rpi-firmware', { ...emptyContributions(), bootProtocols: [rpiFirmwareProtocol()] });
    extensions.add('@walt/plugin-models', {
      ...emptyContributions(),
      nodeModels: [
        { id: 'rpi-3-b-plus', family: 'rpi', description: '', bootProtocol: 'rpi-firmware', bootFiles: ['start.uboot'] },
        { id: 'pc-x86-64', family: 'pc', description: '', bootProtocol: 'ipxe', bootFiles: ['start.ipxe'] },
      ],
    });
    const staticDir = join(dir, 'tftp-static');
    mkdirSync(staticDir);
    service = new TftpService(
      { devices: { byIp: () => nodes.get(at) }, images: new DirectoryImageStore(images), extensions, logs: { platform: () => undefined } },
      { host: '127.0.0.1', port: 0, serverIp: '127.0.0.1', staticDir },
    );
    port = await service.start();
  });

  afterAll(async () => {
    await service?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** tftp-hpa from loopback, with the node `which` registered at the client's address. */
  async function fetchAs(which: 'rpi' | 'pc', name: string): Promise<Buffer> {
    at = which;
    const file = join(dir, `got-${Math.random().toString(36).slice(2)}`);
    await run('tftp', ['-m', 'binary', '127.0.0.1', String(port), '-c', 'get', name, file], { timeout: 20_000 });
    return readFileSync(file);
  }

  it("boot/rpi-3-b.uboot (old SD cards) is the Raspberry Pi node's start.uboot, even for a model whose own protocol is rpi-firmware", async () => {
    expect((await fetchAs('rpi', 'boot/rpi-3-b.uboot')).equals(startUboot)).toBe(true);
    expect((await fetchAs('rpi', 'boot/rpi-3-b-plus.uboot')).equals(startUboot)).toBe(true);
  });

  it("boot/pc-x86-64.ipxe (old USB sticks) is the PC node's start.ipxe, and any name with undionly is the iPXE loader", async () => {
    expect((await fetchAs('pc', 'boot/pc-x86-64.ipxe')).equals(startIpxe)).toBe(true);
    expect((await fetchAs('pc', 'pxe/walt-x86-undionly.kpxe')).toString()).toBe('the undionly loader');
    expect((await fetchAs('pc', 'old/undionly.0')).toString()).toBe('the undionly loader');
  });
});
