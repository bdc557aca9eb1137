import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { udhcpc } from '../../helpers/dhcp-client.js';
import { inNetns, ip } from '../../helpers/netns.js';
import { skipUnless } from '../../helpers/prerequisites.js';
import { REPO, WALT_SERVER_BIN, startServer, type ServerHandle } from '../../helpers/walt-processes.js';

// Every namespace and link carries the engineer letter, so parallel checkouts never collide.
const P = (process.env.WALT_TEST_NETNS_PREFIX ?? '').slice(0, 1);
const SERVER_NS = `w${P}ifs-srv`;
const CLIENT_NS = `w${P}ifs-cli`;
const RAW = `w${P}raw`;
const ADM = `w${P}adm`;
const NET = '192.168.153';
const RPI_MAC = 'b8:27:eb:c3:00:01';
// The server under test sets up interfaces: the suite-wide skip (vitest.config.ts) is lifted here.
const SETUP_ENV = { WALT_SKIP_NETWORK_SETUP: '' };

interface LinkJson {
  ifname: string;
  master?: string;
  flags: string[];
  operstate: string;
  linkinfo?: { info_kind?: string; info_data?: { id?: number } };
  addr_info: Array<{ family: string; local: string; prefixlen: number }>;
  altnames?: string[];
}

function links(): LinkJson[] {
  return JSON.parse(inNetns(SERVER_NS, 'ip', ['-j', '-d', 'addr', 'show'])) as LinkJson[];
}
const link = (name: string) => links().find((l) => l.ifname === name);
const ipv4 = (l?: LinkJson) => (l?.addr_info ?? []).filter((a) => a.family === 'inet').map((a) => `${a.local}/${a.prefixlen}`);

function freshNamespaces(): void {
  for (const ns of [SERVER_NS, CLIENT_NS]) {
    try {
      execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    } catch {
      /* not there */
    }
    ip('netns', 'add', ns);
    ip('-n', ns, 'link', 'set', 'lo', 'up');
  }
}

/** A veth: `name` in the server namespace (down, no address), eth0 in the client namespace. */
function addRawDevice(name: string, clientIf = 'eth0', clientMac = RPI_MAC): void {
  ip('link', 'add', name, 'netns', SERVER_NS, 'type', 'veth', 'peer', 'name', clientIf, 'netns', CLIENT_NS);
  ip('-n', CLIENT_NS, 'link', 'set', clientIf, 'address', clientMac);
  ip('-n', CLIENT_NS, 'link', 'set', clientIf, 'up');
}

/** Whether this kernel can create 802.1Q interfaces (tried in the scratch client namespace). */
function kernelHasVlans(): boolean {
  try {
    inNetns(CLIENT_NS, 'ip', ['link', 'add', 'link', 'eth0', 'name', 'vlantest', 'type', 'vlan', 'id', '2']);
    inNetns(CLIENT_NS, 'ip', ['link', 'del', 'vlantest']);
    return true;
  } catch {
    return false;
  }
}

function config(dataDir: string, network: string): string {
  const images = join(dataDir, 'images');
  mkdirSync(images, { recursive: true });
  return `network:\n${network}images:\n  directory: ${images}\napi:\n  port: 0\n`;
}

/** tftp-hpa's client, from the client namespace, through the walt-net bridge. */
function tftpGet(name: string, dir: string): Buffer {
  const out = join(dir, `got-${name.replace(/\//g, '_')}`);
  inNetns(CLIENT_NS, 'tftp', ['-m', 'binary', `${NET}.1`, '-c', 'get', name, out], 20_000);
  return readFileSync(out);
}

describe.skipIf(skipUnless({ root: true, commands: ['ip', 'busybox', 'tftp'] }))('walt-net and walt-adm set-up at server start (in a network namespace)', () => {
  let server: ServerHandle | undefined;
  const dirs: string[] = [];
  const tempDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'walt-ifs-'));
    dirs.push(d);
    return d;
  };

  afterEach(async () => {
    await server?.stop();
    server = undefined;
    for (const ns of [SERVER_NS, CLIENT_NS]) {
      try {
        execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
      } catch {
        /* already gone */
      }
    }
  });
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('raw device without address: walt-net becomes a bridge on it with the address, DHCP and TFTP serve a client through it, and a restart duplicates nothing', async () => {
    freshNamespaces();
    addRawDevice(RAW);
    const dataDir = tempDir();
    mkdirSync(join(dataDir, 'tftp-static'), { recursive: true });
    writeFileSync(join(dataDir, 'tftp-static', 'bootcode.bin'), 'bootcode for the test\n');
    const conf = config(dataDir, `  walt-net:\n    raw-device: ${RAW}\n    ip: ${NET}.1/24\n`);
    server = await startServer({ netns: SERVER_NS, dataDir, config: conf, env: SETUP_ENV });
    const bridge = link('walt-net');
    expect(bridge?.linkinfo?.info_kind).toBe('bridge');
    expect(ipv4(bridge)).toEqual([`${NET}.1/24`]);
    expect(bridge?.flags).toContain('UP');
    expect(link(RAW)?.master).toBe('walt-net');
    expect(link(RAW)?.flags).toContain('UP');
    expect(server.output()).toMatch(/platform\.network -> walt-net set up on walt-net: ip link add name walt-net/);
    expect(server.output()).not.toMatch(/EADDRNOTAVAIL|no interface holds/);

    // A Raspberry Pi firmware client (unknown board): lease, then its static boot file over TFTP.
    const lease = udhcpc(CLIENT_NS, 'eth0', { vendorClass: 'PXEClient:Arch:00000:UNDI:002001' });
    expect(lease.ip.startsWith(`${NET}.`)).toBe(true);
    inNetns(CLIENT_NS, 'ip', ['addr', 'add', `${lease.ip}/24`, 'dev', 'eth0']);
    expect(tftpGet('bootcode.bin', dataDir).toString()).toBe('bootcode for the test\n');

    // Restart: everything is found in place, nothing is added twice, nothing is lost.
    await server.stop();
    const before = JSON.stringify(links().map((l) => [l.ifname, l.master, ipv4(l)]));
    server = await startServer({ netns: SERVER_NS, dataDir, config: conf, env: SETUP_ENV });
    expect(server.output()).toMatch(/walt-net already set up on walt-net/);
    expect(JSON.stringify(links().map((l) => [l.ifname, l.master, ipv4(l)]))).toBe(before);
    expect(ipv4(link('walt-net'))).toEqual([`${NET}.1/24`]);
    expect(tftpGet('bootcode.bin', dataDir).toString()).toBe('bootcode for the test\n');
  });

  it('vlan: 12 puts the bridge on the VLAN sub-interface, and a tagged client gets a lease', async () => {
    freshNamespaces();
    addRawDevice(RAW);
    if (!kernelHasVlans()) {
      // This kernel has no 802.1Q (no 8021q module): the set-up must say so in one line, with the command.
      console.warn('kernel without 802.1Q VLAN support: checking the error path only');
      const dataDir = tempDir();
      server = await startServer({ netns: SERVER_NS, dataDir, config: config(dataDir, `  walt-net:\n    raw-device: ${RAW}\n    vlan: 12\n    ip: ${NET}.1/24\n`), env: SETUP_ENV });
      const errors = server.output().split('\n').filter((l) => l.startsWith('ERROR'));
      expect(errors, errors.join('\n')).toHaveLength(1);
      expect(errors[0]).toMatch(new RegExp(`walt-net: cannot set up walt-net \\(ip link add link ${RAW} name ${RAW}\\.12 type vlan id 12: .*\\); run as root: ip link add link ${RAW} name ${RAW}\\.12 type vlan id 12 && `));
      return;
    }
    inNetns(CLIENT_NS, 'ip', ['link', 'add', 'link', 'eth0', 'name', 'eth0.12', 'type', 'vlan', 'id', '12']);
    inNetns(CLIENT_NS, 'ip', ['link', 'set', 'eth0.12', 'address', 'b8:27:eb:c3:00:12', 'up']);
    const dataDir = tempDir();
    const conf = config(dataDir, `  walt-net:\n    raw-device: ${RAW}\n    vlan: 12\n    ip: ${NET}.1/24\n`);
    server = await startServer({ netns: SERVER_NS, dataDir, config: conf, env: SETUP_ENV });
    const sub = link(`${RAW}.12`);
    expect(sub?.linkinfo?.info_kind).toBe('vlan');
    expect(sub?.linkinfo?.info_data?.id).toBe(12);
    expect(sub?.master).toBe('walt-net');
    expect(link(RAW)?.master).toBeUndefined();
    expect(ipv4(link('walt-net'))).toEqual([`${NET}.1/24`]);
    const lease = udhcpc(CLIENT_NS, 'eth0.12');
    expect(lease.ip.startsWith(`${NET}.`)).toBe(true);
    // Untagged frames do not reach walt-net.
    expect(() => udhcpc(CLIENT_NS, 'eth0')).toThrow(/no lease/);

    await server.stop();
    server = await startServer({ netns: SERVER_NS, dataDir, config: conf, env: SETUP_ENV });
    expect(links().filter((l) => l.linkinfo?.info_kind === 'vlan')).toHaveLength(1);
    expect(ipv4(link('walt-net'))).toEqual([`${NET}.1/24`]);
  });

  it('walt-adm on its own veth gets its address, the altname walt-adm and is up, beside walt-net', async () => {
    freshNamespaces();
    addRawDevice(RAW);
    addRawDevice(ADM, 'eth1', '02:00:00:c3:00:02');
    const dataDir = tempDir();
    const conf = config(dataDir, `  walt-net:\n    raw-device: ${RAW}\n    ip: ${NET}.1/24\n  walt-adm:\n    raw-device: ${ADM}\n    ip: 10.10.52.23/27\n`);
    server = await startServer({ netns: SERVER_NS, dataDir, config: conf, env: SETUP_ENV });
    const adm = link(ADM);
    expect(ipv4(adm)).toEqual(['10.10.52.23/27']);
    expect(adm?.flags).toContain('UP');
    expect(adm?.master).toBeUndefined();
    expect(adm?.altnames ?? []).toContain('walt-adm');
    // A switch on the admin network reaches the server.
    inNetns(CLIENT_NS, 'ip', ['addr', 'add', '10.10.52.24/27', 'dev', 'eth1']);
    inNetns(CLIENT_NS, 'busybox', ['ping', '-c', '1', '-W', '2', '10.10.52.23']);

    await server.stop();
    server = await startServer({ netns: SERVER_NS, dataDir, config: conf, env: SETUP_ENV });
    expect(ipv4(link(ADM))).toEqual(['10.10.52.23/27']);
    expect(server.output()).toMatch(/walt-adm already set up on/);
  });

  it('virtual-only: walt-net is a bridge holding the address with only its placeholder port, and DHCP serves the taps that join it', async () => {
    freshNamespaces();
    const dataDir = tempDir();
    const conf = config(dataDir, `  walt-net:\n    raw-device: null\n    ip: ${NET}.1/24\n`);
    server = await startServer({ netns: SERVER_NS, dataDir, config: conf, env: SETUP_ENV });
    const bridge = link('walt-net');
    expect(bridge?.linkinfo?.info_kind).toBe('bridge');
    expect(ipv4(bridge)).toEqual([`${NET}.1/24`]);
    expect(links().filter((l) => l.master === 'walt-net').map((l) => l.ifname)).toEqual(['walt-net-dummy']);
    expect(bridge?.operstate).toBe('UP');
    await expect.poll(() => server!.output(), { timeout: 10_000 }).toMatch(/TFTP server listening on 192\.168\.153\.1/);
    // A virtual node's tap joins it (what VirtualNodeService does): its DHCP request gets a lease.
    ip('link', 'add', `w${P}vt0`, 'netns', SERVER_NS, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', CLIENT_NS);
    ip('-n', SERVER_NS, 'link', 'set', `w${P}vt0`, 'master', 'walt-net', 'up');
    ip('-n', CLIENT_NS, 'link', 'set', 'eth0', 'address', '52:54:00:c3:00:03', 'up');
    expect(udhcpc(CLIENT_NS, 'eth0').ip.startsWith(`${NET}.`)).toBe(true);
  });

  it('an address the admin put on an interface by hand is used as it is: no bridge is created', async () => {
    freshNamespaces();
    addRawDevice(RAW);
    ip('-n', SERVER_NS, 'addr', 'add', `${NET}.1/24`, 'dev', RAW);
    ip('-n', SERVER_NS, 'link', 'set', RAW, 'up');
    const dataDir = tempDir();
    const conf = config(dataDir, `  walt-net:\n    raw-device: ${RAW}\n    ip: ${NET}.1/24\n`);
    server = await startServer({ netns: SERVER_NS, dataDir, config: conf, env: SETUP_ENV });
    expect(link('walt-net')).toBeUndefined();
    expect(ipv4(link(RAW))).toEqual([`${NET}.1/24`]);
    expect(server.output()).toMatch(new RegExp(`walt-net already set up on ${RAW}`));
    expect(udhcpc(CLIENT_NS, 'eth0').ip.startsWith(`${NET}.`)).toBe(true);
  });

  it('a raw device that does not exist: one ERROR line names it and the command to fix it, the server serves its API', async () => {
    freshNamespaces();
    const dataDir = tempDir();
    const conf = config(dataDir, `  walt-net:\n    raw-device: ${P}nosuch0\n    ip: ${NET}.1/24\n`);
    server = await startServer({ netns: SERVER_NS, dataDir, config: conf, env: SETUP_ENV });
    const errors = server.output().split('\n').filter((l) => l.startsWith('ERROR'));
    expect(errors, errors.join('\n')).toHaveLength(1);
    expect(errors[0]).toMatch(new RegExp(`ERROR platform\\.network -> walt-net: no network interface ${P}nosuch0 .*walt-server-setup --edit-conf`));
    expect(link('walt-net')).toBeUndefined();
    expect((await server.walt(['node', 'show'])).code).toBe(0);
  });

  it('as a normal user on the virtual-only defaults: the server starts, one ERROR line gives the commands to run as root', async () => {
    freshNamespaces();
    const dataDir = tempDir();
    chmodSync(dataDir, 0o777);
    const confFile = join(dataDir, 'server.conf');
    writeFileSync(confFile, `network:\n  walt-net:\n    raw-device: null\n    ip: ${NET}.1/24\napi:\n  port: 0\n`);
    chmodSync(confFile, 0o644);
    const child = spawn('ip', ['netns', 'exec', SERVER_NS, 'setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, WALT_SERVER_BIN, 'start', '--config', confFile, '--data-dir', dataDir], {
      cwd: REPO,
      env: { ...process.env, ...SETUP_ENV, HOME: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    try {
      await expect.poll(() => out, { timeout: 30_000 }).toMatch(/listening on http:/);
      // (The image engine has its own ERROR line: no Podman socket for this user.)
      const errors = out.split('\n').filter((l) => l.startsWith('ERROR') && !l.startsWith('ERROR platform.images'));
      expect(errors, errors.join('\n')).toHaveLength(1);
      expect(errors[0]).toMatch(/walt-net: cannot set up walt-net \(ip link add name walt-net .*Operation not permitted\); run as root: ip link add name walt-net .* && ip link add name walt-net-dummy type dummy && .* && ip addr add 192\.168\.153\.1\/24 dev walt-net && ip link set dev walt-net up/);
      expect(link('walt-net')).toBeUndefined();
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
    }
  });
});
