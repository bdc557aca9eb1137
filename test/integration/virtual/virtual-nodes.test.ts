import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, WALT_BIN, type ServerHandle } from '../../helpers/walt-processes.js';
import { skipUnless } from '../../helpers/prerequisites.js';
import { BOOT_MARKER, buildImageDirectory, hostKernel } from '../../fixtures/vnode/test-image.js';
import { authHeaders, userToken } from '../../helpers/api-token.js';

const KERNEL = hostKernel() ?? '/boot/vmlinuz-<linux-image-amd64 is not installed>';
const BOOT_TIMEOUT_MS = 150_000;

/** The command lines of the qemu processes of a node (found by its -name). */
function qemuOf(name: string): string[] {
  const ps = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
  return ps.split('\n').filter((l) => l.startsWith('qemu-system-x86_64') || l.includes('/qemu-system-x86_64 ')).filter((l) => l.includes(` -name ${name} `));
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

describe.skipIf(skipUnless({ commands: ['qemu-system-x86_64', 'cpio', 'busybox'], files: [KERNEL] }))('virtual nodes (qemu, TCG)', () => {
  let server: ServerHandle;
  let images: string;
  const config = (dir: string) => `network:\n  walt-net:\n    raw-device: null\n    ip: 192.168.152.1/24\napi:\n  port: 0\nimages:\n  directory: ${dir}\n`;

  beforeAll(async () => {
    images = mkdtempSync(join(tmpdir(), 'walt-vnode-images-'));
    buildImageDirectory(images, KERNEL);
    server = await startServer({ config: config(images) });
  }, 60_000);

  afterAll(async () => {
    await server?.stop({ cleanup: true });
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

  it('creates a node that boots the image kernel, logs its console, restarts on hard reboot, applies settings, and is removed', async () => {
    const created = await server.walt(['node', 'create', 'vm1']);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('Default image for pc-x86-64 was saved as "pc-x86-default" in your working set.');
    expect(created.stdout).toContain('Node vm1 is now booting your image "pc-x86-default".');
    expect(server.output()).toMatch(/new node name=vm1 model=pc-x86-64 mac=52:54:00:[0-9a-f:]{8} ip=192\.168\.152\.2\b/);

    // Listed like any other node, as alice's.
    const show = await server.walt(['node', 'show', '--names-only']);
    expect(show.stdout.split('\n')).toContain('vm1');
    const dup = await server.walt(['node', 'create', 'vm1']);
    expect(dup.code).not.toBe(0);
    expect(dup.stderr).toContain("a device with name 'vm1' already exists.");

    // Settings apply at the next VM start: boot at once, smaller VM.
    const conf = await server.walt(['node', 'config', 'vm1', 'boot.delay=0', 'ram=256M', 'cpu.cores=1']);
    expect(conf.code, conf.stderr).toBe(0);
    await until('a qemu process for vm1', 20_000, () => qemuOf('vm1').length > 0 || undefined);
    const reboot = await server.walt(['node', 'reboot', '--hard', 'vm1']);
    expect(reboot.code, reboot.stderr).toBe(0);
    expect(reboot.stdout).toContain('rebooted OK');
    const args = await until('qemu with the new settings', 20_000, () => qemuOf('vm1').find((l) => l.includes('-m 256M')));
    expect(args).toContain('-smp 1');
    expect(args).toContain('-accel tcg');
    expect(args).toMatch(/mount_tag=walt_image,readonly=on/);

    // The console shows the kernel's init marker, with the walt parameters on its command line.
    const consoleProc = spawn(process.execPath, [WALT_BIN, 'node', 'console', 'vm1'], {
      env: { ...process.env, WALT_SERVER: server.address, WALT_USER: 'alice', WALT_TOKEN: await userToken(server.address, 'alice'), WALT_CONFIG_FILE: join(server.dataDir, 'client-config-unused') },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let screen = '';
    consoleProc.stdout.on('data', (d) => (screen += d));
    const exited = new Promise<number | null>((r) => consoleProc.on('close', (code) => r(code)));
    try {
      await until('the boot marker on the console', BOOT_TIMEOUT_MS, () => screen.includes(BOOT_MARKER) || undefined);
      expect(screen).toMatch(/ip=192\.168\.152\.2:192\.168\.152\.1::255\.255\.255\.0:vm1::off/);
      expect(screen).toContain('walt.node.model=pc-x86-64');
      consoleProc.stdin.write('\x01d'); // <ctrl-a> d detaches
      expect(await exited).toBe(0);
    } finally {
      consoleProc.kill('SIGKILL');
    }

    // The same lines are in the log, stream virtualconsole of the node.
    const before = await until('the marker in the log', 20_000, async () => (await markers('vm1')) || undefined);

    // A hard reboot kills the VM; the supervisor boots it again.
    const pidsBefore = qemuOf('vm1');
    expect((await server.walt(['node', 'reboot', '--hard', 'vm1'])).code).toBe(0);
    await until('a second boot', BOOT_TIMEOUT_MS, async () => ((await markers('vm1')) > before ? true : undefined));
    expect(pidsBefore.length).toBe(1);

    // Removal stops the VM and forgets the node.
    const removed = await server.walt(['node', 'remove', 'vm1']);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toContain('Node vm1 was removed.');
    await until('qemu of vm1 to exit', 15_000, () => (qemuOf('vm1').length === 0 ? true : undefined));
    const after = await server.walt(['node', 'show', '--all', '--names-only']);
    expect(after.stdout.split('\n')).not.toContain('vm1');
  }, 420_000);

  it('refuses remove and console on a physical node, and on a missing one', async () => {
    const reg = await fetch(`http://${server.address}/api/v1/devices/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await authHeaders(server.address, 'alice')) },
      body: JSON.stringify({ mac: 'b8:27:eb:00:00:01', ip: '192.168.152.50', vendorClass: 'walt.node.rpi-3-b-plus' }),
    });
    expect(reg.ok).toBe(true);
    const { device } = (await reg.json()) as { device: { name: string } };
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
    await until('qemu of vm2', 30_000, () => qemuOf('vm2').length > 0 || undefined);
    const bob = await server.walt(['node', 'remove', 'vm2'], { user: 'bob' });
    expect(bob.code).not.toBe(0);
    expect(bob.stderr).toContain('--yes');

    await server.stop();
    await until('qemu of vm2 to stop with the server', 15_000, () => (qemuOf('vm2').length === 0 ? true : undefined));
    server = await startServer({ config: config(images), dataDir: server.dataDir });
    await until('qemu of vm2 after the restart', 30_000, () => qemuOf('vm2').length > 0 || undefined);

    const removed = await server.walt(['node', 'remove', '--yes', 'vm2'], { user: 'bob' });
    expect(removed.code, removed.stderr).toBe(0);
    await until('qemu of vm2 to exit', 15_000, () => (qemuOf('vm2').length === 0 ? true : undefined));
  }, 120_000);
});
