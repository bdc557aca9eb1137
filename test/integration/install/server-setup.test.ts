import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, lstatSync, readlinkSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runNode, WALT_SERVER_SETUP_BIN } from '../../helpers/walt-processes.js';
import { skipUnless } from '../../helpers/prerequisites.js';

/**
 * walt-server-setup on a temporary root (--root): never the real /etc. Apt and starting services are
 * for the running system only; the files, the unit and its enablement are checked here.
 */
const roots: string[] = [];
function newRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'walt-j-setup-root-'));
  roots.push(root);
  return root;
}

/** Every path under root with its content (or link target): equal snapshots mean nothing changed. */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      const rel = p.slice(root.length);
      if (e.isSymbolicLink()) out[rel] = `-> ${readlinkSync(p)}`;
      else if (e.isDirectory()) {
        out[rel] = 'dir';
        walk(p);
      } else out[rel] = readFileSync(p, 'utf8');
    }
  };
  walk(root);
  return out;
}

const setup = (args: string[]) => runNode(WALT_SERVER_SETUP_BIN, args, { timeoutMs: 60_000 });

/** A tiny tftp-static tarball, so that installs on a temporary root build tftp-static offline. */
function tftpStaticTarball(): string {
  const dir = newRoot();
  mkdirSync(join(dir, 'tftp-static'));
  writeFileSync(join(dir, 'tftp-static/bootcode.bin'), 'firmware');
  const tarball = join(dir, 'tftp-static.tar.gz');
  const r = spawnSync('tar', ['-czf', tarball, '-C', dir, 'tftp-static'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tar: ${r.stderr}`);
  return tarball;
}

describe.skipIf(skipUnless({ commands: ['systemctl', 'systemd-analyze', 'dpkg-query'] }))('walt-server-setup', () => {
  afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

  it('--dry-run on a bare system lists the packages and files it would install and changes nothing', async () => {
    const root = newRoot();
    mkdirSync(join(root, 'etc'));
    writeFileSync(join(root, 'etc/hostname'), 'lab-server\n');
    const before = snapshot(root);
    const r = await setup(['--dry-run', '--root', root, '--walt-net-raw-device', 'none']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`would write ${root}/etc/walt/server.conf (virtual-only walt-net)`);
    expect(r.stdout).toContain(`would install ${root}/etc/systemd/system/walt-server.service`);
    expect(r.stdout).toMatch(/podman nfs-kernel-server iptables lldpd snmp qemu-system-x86 ipxe/);
    expect(r.stdout).toContain(`would build ${root}/var/lib/walt/tftp-static from Debian's packages`);
    // Built before the service is enabled and started, so that its first start finds the files.
    expect(r.stdout.indexOf('would build')).toBeLessThan(r.stdout.indexOf('would enable walt-server.service'));
    expect(snapshot(root)).toEqual(before);
  });

  it('installs the configuration and an enabled unit, then a second run changes nothing', async () => {
    const root = newRoot();
    const tarball = tftpStaticTarball();
    const first = await setup(['--root', root, '--walt-net-raw-device', 'none', '--walt-net-ip', '192.168.160.1/24', '--from-tarball', tarball]);
    expect(first.code, first.stderr).toBe(0);
    const conf = readFileSync(join(root, 'etc/walt/server.conf'), 'utf8');
    expect(conf).toMatch(/raw-device: null/);
    expect(conf).toMatch(/ip: 192\.168\.160\.1\/24/);
    const unit = readFileSync(join(root, 'etc/systemd/system/walt-server.service'), 'utf8');
    expect(unit).toMatch(/^After=network-online\.target podman\.socket$/m);
    expect(unit).toMatch(/^Wants=network-online\.target podman\.socket$/m);
    expect(unit).toMatch(/^Restart=on-failure$/m);
    expect(unit).toMatch(/^ExecStart=\S+node\S* \S+\/bin\/walt-server\.js start --config \/etc\/walt\/server\.conf$/m);
    expect(lstatSync(join(root, 'etc/systemd/system/multi-user.target.wants/walt-server.service')).isSymbolicLink()).toBe(true);
    expect(first.stdout).toContain(`build ${root}/var/lib/walt/tftp-static from ${tarball}`);
    expect(readFileSync(join(root, 'var/lib/walt/tftp-static/bootcode.bin'), 'utf8')).toBe('firmware');
    const after = snapshot(root);
    const second = await setup(['--root', root]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain('nothing to do');
    expect(snapshot(root)).toEqual(after);
  });

  it("builds tftp-static in the configuration's data dir, and never replaces one that has files", async () => {
    const root = newRoot();
    mkdirSync(join(root, 'etc/walt'), { recursive: true });
    writeFileSync(join(root, 'etc/walt/server.conf'), 'network:\n  walt-net:\n    raw-device: null\n    ip: 192.168.152.1/24\ndata-dir: /srv/walt\n');
    const plan = await setup(['--dry-run', '--root', root]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain(`would build ${root}/srv/walt/tftp-static from Debian's packages`);
    // The admin's own files (e.g. from 'walt-server-setup --tftp-static --from-tarball'): kept.
    mkdirSync(join(root, 'srv/walt/tftp-static'), { recursive: true });
    writeFileSync(join(root, 'srv/walt/tftp-static/start.elf'), 'admin');
    const kept = await setup(['--dry-run', '--root', root]);
    expect(kept.stdout).not.toContain('tftp-static');
  });

  it('--no-tftp-static installs without it and says it is left to do; with --from-tarball it is a usage error', async () => {
    const root = newRoot();
    const r = await setup(['--root', root, '--walt-net-raw-device', 'none', '--no-tftp-static']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("left to do: build tftp-static (Raspberry Pi boards without SD card): run 'walt-server-setup --tftp-static'");
    expect(snapshot(root)['/var/lib/walt/tftp-static']).toBeUndefined();
    const both = await setup(['--root', root, '--no-tftp-static', '--from-tarball', '/x.tgz']);
    expect(both.code).toBe(2);
    expect(both.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a failed tftp-static build is said and left to do; the rest of the install goes on', async () => {
    const root = newRoot();
    const r = await setup(['--root', root, '--walt-net-raw-device', 'none', '--from-tarball', join(root, 'missing.tar.gz')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`cannot build tftp-static: no such file: ${root}/missing.tar.gz`);
    expect(r.stdout).toContain("left to do: build tftp-static (Raspberry Pi boards without SD card), which failed above: run 'walt-server-setup --tftp-static' again");
    expect(lstatSync(join(root, 'etc/systemd/system/multi-user.target.wants/walt-server.service')).isSymbolicLink()).toBe(true);
    expect(snapshot(root)['/var/lib/walt/tftp-static']).toBeUndefined();
  });

  it('after an upgrade, rewrites only what changed: the unit and the recorded version, never the configuration', async () => {
    const root = newRoot();
    expect((await setup(['--root', root, '--walt-net-raw-device', 'none', '--no-tftp-static'])).code).toBe(0);
    const unitFile = join(root, 'etc/systemd/system/walt-server.service');
    const current = readFileSync(unitFile, 'utf8');
    writeFileSync(unitFile, current.replace(/^ExecStart=.*$/m, 'ExecStart=/usr/bin/node /old/walt-server.js start'));
    writeFileSync(join(root, 'etc/walt/.installed-by-setup'), '0.9.0\n');
    writeFileSync(join(root, 'etc/walt/server.conf'), readFileSync(join(root, 'etc/walt/server.conf'), 'utf8') + '# edited by the admin\n');
    const r = await setup(['--root', root, '--no-tftp-static']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`install ${unitFile}`);
    expect(r.stdout).toContain('record version 1.0.0');
    expect(r.stdout).not.toContain('server.conf (');
    expect(readFileSync(unitFile, 'utf8')).toBe(current);
    expect(readFileSync(join(root, 'etc/walt/server.conf'), 'utf8')).toContain('# edited by the admin');
  });

  it('the installed unit passes systemd-analyze verify', async () => {
    const root = newRoot();
    expect((await setup(['--root', root, '--walt-net-raw-device', 'none', '--no-tftp-static'])).code).toBe(0);
    const dir = join(root, 'verify');
    mkdirSync(dir);
    copyFileSync(join(root, 'etc/systemd/system/walt-server.service'), join(dir, 'walt-server.service'));
    const r = spawnSync('systemd-analyze', ['verify', join(dir, 'walt-server.service')], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/walt-server\.service:/);
  });

  it('--uninstall removes the unit and keeps the configuration; --purge removes it and the data', async () => {
    const root = newRoot();
    expect((await setup(['--root', root, '--walt-net-raw-device', 'none', '--no-tftp-static'])).code).toBe(0);
    mkdirSync(join(root, 'var/lib/walt'), { recursive: true });
    writeFileSync(join(root, 'var/lib/walt/walt.db'), 'data');
    const r = await setup(['--uninstall', '--root', root]);
    expect(r.code, r.stderr).toBe(0);
    const left = snapshot(root);
    expect(left['/etc/systemd/system/walt-server.service']).toBeUndefined();
    expect(left['/etc/systemd/system/multi-user.target.wants/walt-server.service']).toBeUndefined();
    expect(left['/etc/walt/server.conf']).toContain('walt-net');
    expect(left['/var/lib/walt/walt.db']).toBe('data');
    expect(r.stdout).toContain('--purge');
    // --purge removes the data dir the configuration names.
    writeFileSync(join(root, 'etc/walt/server.conf'), readFileSync(join(root, 'etc/walt/server.conf'), 'utf8') + 'data-dir: /srv/walt-data\n');
    mkdirSync(join(root, 'srv/walt-data'), { recursive: true });
    writeFileSync(join(root, 'srv/walt-data/walt.db'), 'data');
    const purge = await setup(['--uninstall', '--purge', '--root', root]);
    expect(purge.code, purge.stderr).toBe(0);
    const gone = snapshot(root);
    expect(gone['/etc/walt/server.conf']).toBeUndefined();
    expect(gone['/srv/walt-data']).toBeUndefined();
    expect(gone['/srv']).toBe('dir');
  });

  it('refuses an invalid walt-net flag in one line and writes nothing', async () => {
    const root = newRoot();
    const r = await setup(['--root', root, '--walt-net-ip', '300.1.1.1/24']);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('network.walt-net.ip');
    expect(snapshot(root)).toEqual({});
  });
});
