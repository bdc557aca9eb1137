import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { addNodeFiles, NODE_FILES_DIR } from './node-files.js';

const hasSshKeygen = (() => {
  try {
    execFileSync('ssh-keygen', ['-?'], { stdio: 'ignore' });
    return true;
  } catch (e) {
    return (e as { status?: number }).status !== undefined && (e as { code?: string }).code !== 'ENOENT';
  }
})();

describe('what the server adds to an image view (section 5.2)', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const view = () => {
    const d = mkdtempSync(join(tmpdir(), 'walt-node-files-'));
    dirs.push(d);
    const root = join(d, 'root');
    mkdirSync(join(root, 'boot', 'pc-x86-64'), { recursive: true });
    mkdirSync(join(root, 'etc'), { recursive: true });
    writeFileSync(join(root, 'etc', 'hostname'), 'image-host\n');
    writeFileSync(join(root, 'boot', 'vmlinuz-6.1'), 'kernel');
    symlinkSync('/boot/vmlinuz-6.1', join(root, 'boot', 'pc-x86-64', 'kernel'));
    symlinkSync('../initrd.img-6.1', join(root, 'boot', 'pc-x86-64', 'initrd'));
    return { root, keysDir: join(d, 'keys') };
  };

  it('node scripts with the server address and ports, hosts, resolv.conf, no hostname, relative /boot links', () => {
    const { root } = view();
    expect(addNodeFiles(root, { serverIp: '192.168.12.1', rpcPort: 12345, logsPort: 12347, imageId: 'abc' })).toEqual([]);
    const env = readFileSync(join(root, 'bin', 'walt-env'), 'utf8');
    expect(env).toContain('export walt_server_ip=192.168.12.1\n');
    expect(env).toContain('export walt_server_notify_bootup_port=12347\n');
    for (const f of ['bin/walt-init', 'bin/_walt_internal_/walt-notify-bootup', 'bin/_walt_internal_/walt-fs-watchdog', 'bin/_walt_internal_/walt-net-service', 'bin/_walt_internal_/walt-net-service-handler']) {
      expect(lstatSync(join(root, f)).mode & 0o111, f).not.toBe(0);
    }
    expect(readFileSync(join(root, 'etc', 'resolv.conf'), 'utf8')).toBe('\ndomain walt\nsearch walt.\nnameserver 192.168.12.1\n');
    expect(readFileSync(join(root, 'etc', 'hosts'), 'utf8')).toMatch(/^127\.0\.0\.1 +localhost\n/);
    expect(existsSync(join(root, 'etc', 'hostname'))).toBe(false);
    // The node's TFTP root is /boot/pc-x86-64: an absolute link would name the server's own /boot.
    expect(readlinkSync(join(root, 'boot', 'pc-x86-64', 'kernel'))).toBe('../vmlinuz-6.1');
    expect(readFileSync(join(root, 'boot', 'pc-x86-64', 'kernel'), 'utf8')).toBe('kernel');
    expect(readlinkSync(join(root, 'boot', 'pc-x86-64', 'initrd'))).toBe('../initrd.img-6.1');
  });

  it.skipIf(!hasSshKeygen)('server-wide SSH host key and the server key authorized for root, the same in every view', () => {
    const a = view();
    mkdirSync(join(a.root, 'root', '.ssh'), { recursive: true });
    writeFileSync(join(a.root, 'root', '.ssh', 'authorized_keys'), 'ssh-ed25519 AAAAuserkey user@lab\n');
    expect(addNodeFiles(a.root, { serverIp: '10.0.0.1', rpcPort: 1, logsPort: 2, imageId: 'x', keysDir: a.keysDir })).toEqual([]);
    const hostKey = readFileSync(join(a.root, 'etc', 'ssh', 'ssh_host_ecdsa_key'), 'utf8');
    expect(hostKey).toContain('PRIVATE KEY');
    expect(lstatSync(join(a.root, 'etc', 'ssh', 'ssh_host_ecdsa_key')).mode & 0o077).toBe(0);
    const serverPub = readFileSync(join(a.keysDir, 'id_ed25519.pub'), 'utf8').trim();
    const auth = readFileSync(join(a.root, 'root', '.ssh', 'authorized_keys'), 'utf8');
    expect(auth.startsWith('ssh-ed25519 AAAAuserkey user@lab\n')).toBe(true); // the image's own keys stay
    expect(auth.split('\n')).toContain(serverPub);
    // Mounting again (another view) adds the key once and reuses the same host key.
    const b = view();
    addNodeFiles(b.root, { serverIp: '10.0.0.1', rpcPort: 1, logsPort: 2, imageId: 'y', keysDir: a.keysDir });
    addNodeFiles(b.root, { serverIp: '10.0.0.1', rpcPort: 1, logsPort: 2, imageId: 'y', keysDir: a.keysDir });
    expect(readFileSync(join(b.root, 'etc', 'ssh', 'ssh_host_ecdsa_key'), 'utf8')).toBe(hostKey);
    expect(readFileSync(join(b.root, 'root', '.ssh', 'authorized_keys'), 'utf8').split('\n').filter((l) => l === serverPub)).toHaveLength(1);
  });

  it('an /etc/ssh symlink pointing out of the view is replaced, never written through', () => {
    const a = view();
    const outside = join(a.keysDir, '..', 'outside');
    mkdirSync(outside);
    symlinkSync(outside, join(a.root, 'etc', 'ssh'));
    if (hasSshKeygen) addNodeFiles(a.root, { serverIp: '10.0.0.1', rpcPort: 1, logsPort: 2, imageId: 'x', keysDir: a.keysDir });
    expect(existsSync(join(outside, 'ssh_host_ecdsa_key'))).toBe(false);
  });

  it.skipIf(!existsSync('/bin/busybox'))("the node's net service handler answers the server's soft-reboot protocol (run by its own interpreter)", () => {
    const handler = join(NODE_FILES_DIR, 'bin', '_walt_internal_', 'walt-net-service-handler');
    const run = (input: string) => execFileSync(handler, [], { input, encoding: 'utf8', timeout: 10_000 });
    expect(run('MODE single\nPING\n')).toBe('OK\n');
    expect(run('PING\r\nBLINK 1\nFOO\nCLOSE\nPING\n')).toBe('OK\nKO blink not supported on this node\nKO unknown command\n');
  });

  /**
   * A node given another image lost its NFS root before its reboot ran: `reboot` (read from that
   * root) could not run and the node stayed up. Run in a sandbox: a PID and mount namespace whose
   * /proc is a tmpfs holding a plain file /proc/sysrq-trigger (checked before the handler runs: the
   * real one would reboot this machine) and where `reboot` is a command that fails.
   */
  it.skipIf(!existsSync('/bin/busybox') || process.getuid?.() !== 0 || existsSync('/bin/walt-network-reboot'))(
    "REBOOT whose reboot command cannot run: the kernel's sysrq trigger reboots the node (no file read from its root)",
    () => {
      const handler = join(NODE_FILES_DIR, 'bin', '_walt_internal_', 'walt-net-service-handler');
      const dir = mkdtempSync(join(tmpdir(), 'walt-net-handler-'));
      try {
        writeFileSync(join(dir, 'reboot'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
        const script =
          'mount -t tmpfs walt-test-proc /proc && echo FAKE > /proc/sysrq-trigger && [ "$(cat /proc/sysrq-trigger)" = FAKE ] || { echo NO-SANDBOX; exit 1; }; ' +
          'printf "MODE single\\nREBOOT\\n" | PATH="$0:$PATH" "$1"; sleep 3; echo "TRIGGER $(cat /proc/sysrq-trigger)"';
        const out = execFileSync('unshare', ['--mount', '--pid', '--fork', 'sh', '-c', script, dir, handler], { encoding: 'utf8', timeout: 20_000 });
        expect(out).toBe('OK\nTRIGGER b\n');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
