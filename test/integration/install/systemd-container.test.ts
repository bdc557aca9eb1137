import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipUnless } from '../../helpers/prerequisites.js';
import { CACHE, bookwormRootImage, hostAptSources, podman, stageServerInstall } from './server-container.js';

/**
 * The install as a lab admin does it, on a bare Debian bookworm server whose init is systemd (a
 * Podman container, systemd as PID 1): the server packages in /usr/local, node >= 20 beside them
 * (bookworm's nodejs is 18: the host's node binary, as an admin would install NodeSource's or a
 * tarball), then `walt-server-setup` unattended, which installs the Debian packages with apt-get
 * (the host's apt sources, downloads cached on the host), builds tftp-static from Debian's packages,
 * writes the configuration and the unit, and starts the service with systemctl.
 * The container's network is slirp4netns (no interface on the host); it reaches only the Debian
 * mirror of the host's apt sources.
 */
const PREFIX = process.env.WALT_TEST_NETNS_PREFIX ?? '';
const NAME = `walt-${PREFIX}install-${process.pid}`;
const SETUP_TIMEOUT = 20 * 60_000;

const exec = (cmd: string, timeoutMs = 120_000) => podman(['exec', NAME, 'sh', '-c', cmd], { timeoutMs });

/** Every path of the trees setup may change (type, size, mode, link target, mtime): equal lists mean nothing changed. */
const SNAPSHOT = "find /etc /usr /var/lib /var/cache /srv /opt -xdev \\( -path /var/lib/systemd -o -path /var/cache/ldconfig \\) -prune -o -printf '%p %y %s %m %l %T@\\n' | LC_ALL=C sort";
async function snapshot(): Promise<string[]> {
  const r = await exec(SNAPSHOT);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.split('\n');
}

/** The running server's own writes (its database and the folder holding it) are not setup's. */
const notServerWrites = (lines: string[]) => lines.filter((l) => !/^\/var\/lib\/walt( d |\/walt\.db)/.test(l));

/** Lines only in one of two snapshots (what changed), for a readable failure. */
const changed = (a: string[], b: string[]) => [...a.filter((l) => !b.includes(l)).map((l) => `- ${l}`), ...b.filter((l) => !a.includes(l)).map((l) => `+ ${l}`)];

async function copyIn(copies: Array<[string, string]>): Promise<void> {
  for (const [from, to] of copies) {
    const r = await podman(['cp', from, `${NAME}:${to}`]);
    expect(r.code, `podman cp ${from}: ${r.stderr}`).toBe(0);
  }
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 90_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const READY = /walt-server ready, API on 127\.0\.0\.1:12345/;
const journal = async () => (await exec('journalctl -u walt-server.service --no-pager -o cat')).stdout;
const walt = (args: string) => exec(`WALT_SERVER=127.0.0.1:12345 WALT_USER=admin walt ${args}`);

describe.skipIf(skipUnless({ root: true, commands: ['podman', 'slirp4netns', 'mmdebstrap', 'npm'] }))('walt-server-setup on a bare Debian bookworm server with systemd (Podman)', () => {
  const work = mkdtempSync(join(tmpdir(), `walt-${PREFIX}install-`));

  beforeAll(async () => {
    const container = (async () => {
      const image = await bookwormRootImage();
      for (const dir of ['apt-archives', 'apt-lists', 'tftp-static-debs']) mkdirSync(join(CACHE, dir), { recursive: true });
      await podman(['rm', '-f', NAME]);
      const started = await podman([
        'run', '-d', '--name', NAME, '--systemd=always', '--network', 'slirp4netns', '--cap-add', 'NET_ADMIN',
        // Downloads kept between runs: apt's lists and the Debian packages it installs, those tftp-static is made of.
        '-v', `${join(CACHE, 'apt-archives')}:/var/cache/apt/archives`,
        '-v', `${join(CACHE, 'apt-lists')}:/var/lib/apt/lists`,
        '-v', `${join(CACHE, 'tftp-static-debs')}:/var/cache/walt/tftp-static-debs`,
        image, '/sbin/init',
      ]);
      expect(started.code, started.stderr).toBe(0);
      await copyIn([['/usr/bin/node', '/usr/local/bin/node'], ...hostAptSources().map((f): [string, string] => [f, f])]);
      // A server's /var/lib/containers is on a disk; here it is on the container's overlayfs, where
      // Podman's overlay driver cannot run: podman.service would fail at each activation and systemd
      // would fail podman.socket with it. vfs works on any file system.
      expect((await exec('mkdir -p /etc/containers && printf \'[storage]\\ndriver = "vfs"\\nrunroot = "/run/containers/storage"\\ngraphroot = "/var/lib/containers/storage"\\n\' > /etc/containers/storage.conf')).code).toBe(0);
      await waitFor('systemd in the container', async () => /^(running|degraded)/.test((await exec('systemctl is-system-running')).stdout));
    })();
    const [prefix] = await Promise.all([stageServerInstall(work), container]);
    await copyIn([[`${prefix}/.`, '/usr/local/']]);
  }, SETUP_TIMEOUT);

  afterAll(async () => {
    await podman(['rm', '-f', '-t', '5', NAME]);
    rmSync(work, { recursive: true, force: true });
  });

  it('--dry-run on the bare server lists the packages and files it would install and changes nothing', async () => {
    const before = await snapshot();
    const r = await exec('walt-server-setup --dry-run --walt-net-raw-device none');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('would install Debian packages: podman nfs-kernel-server iptables lldpd snmp qemu-system-x86 ipxe iputils-ping openssh-client');
    expect(r.stdout).toContain('would write /etc/walt/server.conf (virtual-only walt-net)');
    expect(r.stdout).toContain('would install /etc/systemd/system/walt-server.service');
    expect(r.stdout).toContain('would enable and start walt-server.service');
    expect(r.stdout).toContain("would build /var/lib/walt/tftp-static from Debian's packages");
    expect(changed(before, await snapshot())).toEqual([]);
    expect((await exec('systemctl cat walt-server.service')).code).not.toBe(0);
  });

  it('installs unattended: Debian packages by apt-get, tftp-static, the configuration, a running walt-server service', async () => {
    const r = await exec('walt-server-setup --walt-net-raw-device none', SETUP_TIMEOUT);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/^install Debian packages: podman nfs-kernel-server iptables lldpd snmp qemu-system-x86 ipxe iputils-ping openssh-client$/m);
    expect(r.stdout).toMatch(/^enable and start walt-server\.service$/m);
    const dpkg = await exec("dpkg-query -W -f='${Package} ${db:Status-Abbrev}\\n' podman nfs-kernel-server iptables lldpd snmp qemu-system-x86 ipxe iputils-ping openssh-client");
    expect(dpkg.stdout.trim().split('\n').map((l) => l.trim()).sort()).toEqual(['iptables ii', 'iputils-ping ii', 'ipxe ii', 'lldpd ii', 'nfs-kernel-server ii', 'openssh-client ii', 'podman ii', 'qemu-system-x86 ii', 'snmp ii']);
    expect((await exec('ls /var/lib/walt/tftp-static')).stdout.split('\n')).toEqual(expect.arrayContaining(['bootcode.bin', 'start4.elf', 'u-boot-rpi-4-b.img', 'bcm2711-rpi-4-b.dtb', 'config.txt', 'boot.scr.uimg']));
    expect((await exec('systemctl is-active walt-server.service podman.socket')).stdout.trim().split('\n')).toEqual(['active', 'active']);
    expect((await exec('systemctl is-enabled walt-server.service')).stdout.trim()).toBe('enabled');
    await waitFor('the ready line in the journal', async () => READY.test(await journal()));
    // The server reached Podman through the socket that setup enabled.
    expect(await journal()).not.toMatch(/no image engine/);
  }, SETUP_TIMEOUT);

  it('the installed units pass systemd-analyze verify', async () => {
    // --man=no: the units' Documentation= man pages are not installed (no man-db on a server).
    const r = await exec('systemd-analyze verify --man=no /etc/systemd/system/walt-server.service /usr/lib/systemd/system/podman.socket 2>&1');
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).not.toMatch(/walt-server\.service|podman\.socket/);
  });

  it('systemctl restart walt-server keeps the devices (one registered by DHCP on walt-net)', async () => {
    // A device on the virtual-only walt-net bridge: a veth whose far end is a bridge port, busybox udhcpc on it.
    const dev = `${PREFIX}dev0`;
    const link = await exec(`ip link add ${dev} type veth peer name ${dev}p && ip link set ${dev}p master walt-net up && ip link set ${dev} up && cat /sys/class/net/${dev}/address`);
    expect(link.code, link.stderr).toBe(0);
    const mac = link.stdout.trim();
    const dhcp = await exec(`busybox udhcpc -i ${dev} -n -q -f -t 10 -T 2 -s /bin/true`, 60_000);
    expect(dhcp.code, `${dhcp.stdout}\n${dhcp.stderr}`).toBe(0);
    const hasDevice = async () => {
      const r = await walt('device show --json');
      return r.code === 0 && r.stdout.toLowerCase().includes(mac);
    };
    await waitFor(`device ${mac} in walt device show`, hasDevice, 30_000);
    const pidBefore = (await exec('systemctl show -p MainPID --value walt-server.service')).stdout.trim();
    expect((await exec('systemctl restart walt-server.service', 90_000)).code).toBe(0);
    expect((await exec('systemctl show -p MainPID --value walt-server.service')).stdout.trim()).not.toBe(pidBefore);
    await waitFor('the server after restart', async () => (await journal()).match(new RegExp(READY.source, 'g'))?.length === 2);
    expect(await hasDevice()).toBe(true);
  });

  it('a second run changes nothing and says so', async () => {
    const before = notServerWrites(await snapshot());
    const pid = (await exec('systemctl show -p MainPID --value walt-server.service')).stdout.trim();
    const r = await exec('walt-server-setup', SETUP_TIMEOUT);
    expect(r.code, r.stderr).toBe(0);
    // When a unit is found stopped, its state and journal say why (a run in CI once found podman.socket inactive).
    const units = r.stdout.includes('enable and start') ? (await exec('systemctl status --no-pager -n 30 podman.socket podman.service walt-server.service 2>&1')).stdout : '';
    expect(r.stdout.trim(), units).toBe('walt-server-setup: nothing to do, the server is set up.');
    expect(changed(before, notServerWrites(await snapshot()))).toEqual([]);
    expect((await exec('systemctl show -p MainPID --value walt-server.service')).stdout.trim()).toBe(pid);
  });

  it('after an upgrade (another version recorded), a run restarts the service', async () => {
    expect((await exec('echo 0.9.0 > /etc/walt/.installed-by-setup')).code).toBe(0);
    const pid = (await exec('systemctl show -p MainPID --value walt-server.service')).stdout.trim();
    const r = await exec('walt-server-setup', SETUP_TIMEOUT);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('restart walt-server.service if running (upgraded from 0.9.0 to 1.0.0)');
    expect((await exec('systemctl show -p MainPID --value walt-server.service')).stdout.trim()).not.toBe(pid);
    expect((await exec('systemctl is-active walt-server.service')).stdout.trim()).toBe('active');
    expect((await exec('cat /etc/walt/.installed-by-setup')).stdout.trim()).toBe('1.0.0');
  });
});
