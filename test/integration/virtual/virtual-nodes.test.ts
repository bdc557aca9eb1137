import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeCommand, startServer, WALT_BIN, type ServerHandle } from '../../helpers/walt-processes.js';
import { platformLines } from '../../helpers/platform-log.js';
import { skipUnless } from '../../helpers/prerequisites.js';
import { createTestNetwork, type TestNetwork } from '../../helpers/netns.js';
import { lockedQemuPathDir } from '../../helpers/real-node.js';
import { BOOT_MARKER, buildImageDirectory, hostKernel } from '../../fixtures/vnode/test-image.js';

const KERNEL = hostKernel() ?? '/boot/vmlinuz-<linux-image-amd64 is not installed>';
/** A boot, after the wait for the machine-wide qemu lock (another VM of the machine may hold it for minutes). */
const BOOT_TIMEOUT_MS = 1_200_000;
const SUBNET = '192.168.171';

/** The command lines of the qemu processes of a node (found by its -name) in the server's namespace, or of the qemu-lock wrapper that execs it (same PID). */
function qemuOf(ns: string, name: string): string[] {
  const pids = execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).split('\n').filter(Boolean);
  const found: string[] = [];
  for (const pid of pids) {
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (args.some((a) => a.endsWith('qemu-system-x86_64')) && args[args.indexOf('-name') + 1] === name) found.push(args.join(' '));
    } catch {
      /* gone */
    }
  }
  return found;
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/**
 * Virtual nodes on a virtual-only platform (raw-device null: the walt-net bridge without a raw
 * device, here the bridge of a namespace): each VM PXE-boots on its tap of the bridge, through the
 * server's DHCP, iPXE script and the image's start.ipxe, the busybox test image (no real OS: a boot
 * takes seconds of TCG, not minutes). Every VM takes the machine-wide qemu lock (real-node.ts).
 */
describe.skipIf(skipUnless({ root: true, commands: ['ip', 'qemu-system-x86_64', 'cpio', 'busybox', 'flock'], files: [KERNEL, '/usr/lib/ipxe/qemu/pxe-virtio.rom'] }))('virtual nodes (qemu, TCG, PXE on the walt-net bridge)', () => {
  let server: ServerHandle;
  let net: TestNetwork;
  let images: string;
  const config = (dir: string) => `network:\n  walt-net:\n    raw-device: null\n    ip: ${SUBNET}.1/24\napi:\n  port: 0\nimages:\n  directory: ${dir}\n`;
  const start = (dataDir?: string) => startServer({ netns: net.serverNs, config: config(images), dataDir, env: { PATH: `${lockedQemuPathDir()}:${process.env.PATH}` } });
  const qemu = (name: string) => qemuOf(net.serverNs, name);

  beforeAll(async () => {
    net = createTestNetwork({ tag: 'vnodes', subnet: SUBNET });
    images = mkdtempSync(join(tmpdir(), 'walt-vnode-images-'));
    buildImageDirectory(images, KERNEL);
    server = await start();
  }, 60_000);

  afterAll(async () => {
    await server?.stop({ cleanup: true });
    net?.destroy();
    rmSync(images, { recursive: true, force: true });
  }, 30_000);

  const markers = async (node: string) => {
    const r = await server.walt(['log', 'show', '--history', 'full', '--issuers', node, '--streams', 'virtualconsole', BOOT_MARKER]);
    return r.stdout.split('\n').filter((l) => l.includes(BOOT_MARKER)).length;
  };

  it('refuses bad names, with one line and nothing created', async () => {
    const bad = await server.walt(['node', 'create', '1bad']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/invalid new name|valid network hostname/i);
    const keyword = await server.walt(['node', 'create', 'all-nodes']);
    expect(keyword.code).not.toBe(0);
    const show = await server.walt(['node', 'show', '--all', '--names-only']);
    expect(show.stdout).not.toMatch(/1bad|all-nodes/);
  });

  it('creates a node that PXE-boots its image on the bridge, logs its console, restarts on hard reboot, applies settings, and is removed', async () => {
    const created = await server.walt(['node', 'create', 'vm1']);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('Default image for pc-x86-64 was saved as "pc-x86-default" in your working set.');
    expect(created.stdout).toContain('Node vm1 is now booting your image "pc-x86-default".');
    await server.waitForOutput(/new node name=vm1 model=pc-x86-64 mac=52:54:00:[0-9a-f:]{8} ip=192\.168\.171\.2\b/);

    // Listed like any other node, as alice's.
    const show = await server.walt(['node', 'show', '--names-only']);
    expect(show.stdout.split('\n')).toContain('vm1');
    const dup = await server.walt(['node', 'create', 'vm1']);
    expect(dup.code).not.toBe(0);
    expect(dup.stderr).toContain("a device with name 'vm1' already exists.");

    // Settings apply at the next VM start: boot at once, smaller VM.
    const conf = await server.walt(['node', 'config', 'vm1', 'boot.delay=0', 'ram=256M', 'cpu.cores=1']);
    expect(conf.code, conf.stderr).toBe(0);
    await until('a qemu process for vm1', 20_000, () => qemu('vm1').length > 0 || undefined);
    const reboot = await server.walt(['node', 'reboot', '--hard', 'vm1']);
    expect(reboot.code, reboot.stderr).toBe(0);
    expect(reboot.stdout).toContain('rebooted OK');
    const args = await until('qemu with the new settings', 20_000, () => qemu('vm1').find((l) => l.includes('-m 256M')));
    expect(args).toContain('-smp 1');
    expect(args).toContain('-accel tcg');
    // PXE on the node's tap of the bridge (the tap is the host's: made before the VM starts).
    expect(args).toMatch(/-netdev tap,id=walt-net,ifname=walt-vn-[0-9a-f]{6},script=no,downscript=no .*-boot n/);
    expect(args).not.toContain('-kernel');

    // The console shows the kernel's init marker, with what start.ipxe put on its command line
    // from iPXE's DHCP (the node's walt-net address, the server's).
    const [cmd, ...pre] = nodeCommand(net.serverNs);
    const consoleProc = spawn(cmd, [...pre, WALT_BIN, 'node', 'console', 'vm1'], {
      env: { ...process.env, WALT_SERVER: server.address, WALT_USER: 'alice', WALT_TOKEN: await server.token('alice'), WALT_CONFIG_FILE: join(server.dataDir, 'client-config-unused') },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let screen = '';
    consoleProc.stdout.on('data', (d) => (screen += d));
    const exited = new Promise<number | null>((r) => consoleProc.on('close', (code) => r(code)));
    try {
      await until('the boot marker on the console', BOOT_TIMEOUT_MS, () => screen.includes(BOOT_MARKER) || undefined);
      expect(screen).toMatch(/ip=192\.168\.171\.2:192\.168\.171\.1:[\d.]*:255\.255\.255\.0:/);
      expect(screen).toContain('walt.node.model=pc-x86-64 walt.server.ip=192.168.171.1');
      consoleProc.stdin.write('\x01d'); // <ctrl-a> d detaches
      expect(await exited).toBe(0);
    } finally {
      consoleProc.kill('SIGKILL');
    }

    // It came the PC way: the server's iPXE script, the image's start.ipxe, its kernel over HTTP.
    const tftp = platformLines(server.dataDir, 'platform.tftp').join('\n');
    expect(tftp).toMatch(/vm1 .*fetched pxe\/walt-boot\.ipxe/);
    expect(tftp).toMatch(/vm1 .*fetched start\.ipxe/);
    expect(tftp).toMatch(/fetched kernel .*over HTTP/);

    // The same lines are in the log, stream virtualconsole of the node.
    const before = await until('the marker in the log', 20_000, async () => (await markers('vm1')) || undefined);

    // A hard reboot kills the VM; the supervisor boots it again.
    const pidsBefore = qemu('vm1');
    expect((await server.walt(['node', 'reboot', '--hard', 'vm1'])).code).toBe(0);
    await until('a second boot', BOOT_TIMEOUT_MS, async () => ((await markers('vm1')) > before ? true : undefined));
    expect(pidsBefore.length).toBe(1);

    // Removal stops the VM and forgets the node.
    const removed = await server.walt(['node', 'remove', 'vm1']);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toContain('Node vm1 was removed.');
    await until('qemu of vm1 to exit', 15_000, () => (qemu('vm1').length === 0 ? true : undefined));
    const after = await server.walt(['node', 'show', '--all', '--names-only']);
    expect(after.stdout.split('\n')).not.toContain('vm1');
  }, 2_700_000);

  it('refuses remove and console on a physical node, and on a missing one', async () => {
    // The API is in the server's namespace: the test registers the node from there.
    const reg = execFileSync('ip', ['netns', 'exec', net.serverNs, 'curl', '-sf', '--max-time', '20', '-X', 'POST', `http://${server.address}/api/v1/devices/register`,
      '-H', 'content-type: application/json', '-H', `authorization: Bearer ${await server.token('alice')}`,
      '--data', JSON.stringify({ mac: 'b8:27:eb:00:00:01', ip: '192.168.171.50', vendorClass: 'walt.node.rpi-3-b-plus' })], { encoding: 'utf8' });
    const { device } = JSON.parse(reg) as { device: { name: string } };
    const rm = await server.walt(['node', 'remove', device.name]);
    expect(rm.code).not.toBe(0);
    expect(rm.stderr.trim().split('\n')).toHaveLength(1);
    expect(rm.stderr).toContain('is not a virtual node');
    const con = await server.walt(['node', 'console', device.name]);
    expect(con.code).not.toBe(0);
    expect(con.stderr).toContain('console is only available on virtual nodes.');
    const show = await server.walt(['device', 'show', '--json']);
    expect(show.stdout).toContain(device.name);
    const missing = await server.walt(['node', 'remove', 'nosuchnode']);
    expect(missing.stderr).toContain("No device with name 'nosuchnode' found.");
  });

  it("asks before removing another user's node, and the VMs come back after a server restart", async () => {
    expect((await server.walt(['node', 'create', 'vm2'])).code).toBe(0);
    await until('qemu of vm2', 30_000, () => qemu('vm2').length > 0 || undefined);
    const bob = await server.walt(['node', 'remove', 'vm2'], { user: 'bob' });
    expect(bob.code).not.toBe(0);
    expect(bob.stderr).toContain('--yes');

    await server.stop();
    await until('qemu of vm2 to stop with the server', 15_000, () => (qemu('vm2').length === 0 ? true : undefined));
    server = await start(server.dataDir);
    await until('qemu of vm2 after the restart', 30_000, () => qemu('vm2').length > 0 || undefined);

    const removed = await server.walt(['node', 'remove', '--yes', 'vm2'], { user: 'bob' });
    expect(removed.code, removed.stderr).toBe(0);
    await until('qemu of vm2 to exit', 15_000, () => (qemu('vm2').length === 0 ? true : undefined));
  }, 300_000);
});
