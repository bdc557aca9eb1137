import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectoryImageStore } from '../../../packages/core/src/images/directory-image-store.js';
import { udhcpc } from '../../helpers/dhcp-client.js';
import { createTestNetwork, inNetns, ip, type TestNetwork } from '../../helpers/netns.js';
import { platformLines } from '../../helpers/platform-log.js';
import { skipUnless } from '../../helpers/prerequisites.js';
import { startServer, type ServerHandle } from '../../helpers/walt-processes.js';

const RPI_MAC = 'b8:27:eb:f2:67:82';
const DEFAULT_IMAGE = 'waltplatform/rpi-3-b-plus-default:latest';

async function eventually(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * The end-to-end test: a Raspberry Pi 3B+ (busybox udhcpc with its vendor class) gets a
 * lease from the real walt-server in a network namespace, shows up as a free node, and fetches
 * start.uboot of its model's default image by TFTP (tftp-hpa, and busybox with 1468-byte blocks).
 */
describe.skipIf(skipUnless({ root: true, commands: ['ip', 'busybox', 'tftp', 'iptables'] }))('netboot end to end: DHCP, registration, TFTP', () => {
  let net: TestNetwork;
  let server: ServerHandle;
  let images: string;
  let client: { ns: string; ifname: string };
  let leaseIp: string;
  let work: string;
  const startUboot = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 131 + 7) & 0xff));

  beforeAll(async () => {
    net = createTestNetwork({ tag: 'e2etf', subnet: '192.168.163' });
    images = mkdtempSync(join(tmpdir(), 'walt-e2e-images-'));
    work = mkdtempSync(join(tmpdir(), 'walt-e2e-'));
    DirectoryImageStore.writeImage(images, DEFAULT_IMAGE, { 'boot/rpi-3-b-plus/start.uboot': startUboot }, { models: ['rpi-3-b-plus'] });
    server = await startServer({
      netns: net.serverNs,
      config: `network:\n  walt-net:\n    raw-device: ${net.serverIf}\n    ip: ${net.serverIp}/${net.prefix}\nimages:\n  directory: ${images}\napi:\n  port: 0\n`,
    });
    await eventually(() => server.output().includes('TFTP server listening'), 'the TFTP server');
    client = net.addClient(RPI_MAC);
  });

  afterAll(async () => {
    await server?.stop({ cleanup: true });
    net?.destroy();
    rmSync(images, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it('udhcpc with vendor class walt.node.rpi-3-b-plus gets a lease; the node is logged and listed free', async () => {
    const lease = udhcpc(client.ns, client.ifname, { vendorClass: 'walt.node.rpi-3-b-plus' });
    leaseIp = lease.ip;
    expect(leaseIp).toMatch(/^192\.168\.163\.\d+$/);
    expect(lease.siaddr).toBe(net.serverIp);
    expect(platformLines(server.dataDir, 'platform.devices')).toContain(`new node name=node-f26782 model=rpi-3-b-plus mac=${RPI_MAC} ip=${leaseIp}`);
    const nodes = await server.walt(['node', 'show', '--all', '--json']);
    expect(nodes.code, nodes.stderr).toBe(0);
    const node = (JSON.parse(nodes.stdout) as Array<Record<string, unknown>>).find((n) => n.name === 'node-f26782');
    expect(node).toMatchObject({ model: 'rpi-3-b-plus', image: DEFAULT_IMAGE });
    const table = await server.walt(['node', 'show', '--all']);
    expect(table.stdout).toMatch(/free/i);
    // udhcpc -q leaves the interface unconfigured: give it its lease, as U-Boot does.
    ip('-n', client.ns, 'addr', 'add', `${leaseIp}/${net.prefix}`, 'dev', client.ifname);
  });

  it("tftp-hpa then fetches start.uboot: exactly the bytes of the default image's /boot/rpi-3-b-plus/start.uboot", async () => {
    const out = join(work, 'start.uboot.hpa');
    inNetns(client.ns, 'tftp', ['-m', 'binary', net.serverIp, '-c', 'get', 'start.uboot', out], 30_000);
    expect(readFileSync(out).equals(startUboot)).toBe(true);
    await eventually(
      () => platformLines(server.dataDir, 'platform.tftp').some((l) => l.startsWith(`node-f26782 (rpi-3-b-plus, ${leaseIp}) fetched start.uboot`)),
      'the tftp log line',
    );
  });

  it('busybox tftp with -b 1468 fetches it too', async () => {
    const out = join(work, 'start.uboot.bb');
    inNetns(client.ns, 'busybox', ['tftp', '-g', '-b', '1468', '-r', 'start.uboot', '-l', out, net.serverIp], 30_000);
    expect(readFileSync(out).equals(startUboot)).toBe(true);
  });

  it('refuses path-escape attempts with a TFTP error and a platform log line', async () => {
    for (const name of ['../../../../etc/passwd', '/etc/passwd', 'boot/../../etc/shadow']) {
      const out = join(work, 'escape');
      try {
        execFileSync('ip', ['netns', 'exec', client.ns, 'tftp', '-m', 'binary', net.serverIp, '-c', 'get', name, out], { encoding: 'utf8', timeout: 20_000, stdio: 'pipe' });
      } catch {
        /* tftp-hpa's exit status on a server error varies; what matters is below */
      }
      // The file must not arrive, and the refusal must be logged.
      let got = '';
      try {
        got = readFileSync(out, 'utf8');
      } catch {
        /* no file */
      }
      expect(got.includes('root:'), `${name} was served`).toBe(false);
      await eventually(() => platformLines(server.dataDir, 'platform.tftp').some((l) => l.startsWith(`refused '${name}'`)), `the refusal of ${name}`);
    }
  });
});
