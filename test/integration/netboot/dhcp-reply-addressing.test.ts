import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectoryImageStore } from '../../../packages/core/src/images/directory-image-store.js';
import { udhcpc } from '../../helpers/dhcp-client.js';
import { createTestNetwork, inNetns, ip, type TestNetwork } from '../../helpers/netns.js';
import { platformLines } from '../../helpers/platform-log.js';
import { skipUnless } from '../../helpers/prerequisites.js';
import { REPO, startServer, type ServerHandle } from '../../helpers/walt-processes.js';

const BOUND_CLIENT = join(REPO, 'test/helpers/bound-dhcp-client.py');
const DHCP_PACKAGE_CLIENT = join(REPO, 'test/helpers/dhcp-package-client.cjs');
const TFTP_PACKAGE_CLIENT = join(REPO, 'test/helpers/tftp-package-client.cjs');
const WITHOUT_ADDON = join(REPO, 'test/helpers/without-dhcp-socket-addon.cjs');
const SUBNET = '192.168.170';
const RPI_MAC = 'b8:27:eb:70:00:01';

interface BoundClientResult {
  leases: Array<{ mac: string; ip: string; server: string; to: string }>;
  done: { leased?: number; replies?: Array<{ type: number; ip: string; to?: string | null }> };
}

/** Run bound-dhcp-client.py in a namespace (see its header for `spec`). */
function boundClient(ns: string, ifname: string, spec: Record<string, unknown>): BoundClientResult {
  const out = inNetns(ns, 'python3', [BOUND_CLIENT, ifname, JSON.stringify(spec)], 60_000);
  const lines = out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  return {
    leases: lines.filter((l) => !l.done) as BoundClientResult['leases'],
    done: lines.find((l) => l.done) as BoundClientResult['done'],
  };
}

function storedMacs(dataDir: string): string[] {
  const db = new Database(join(dataDir, 'walt.db'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare("SELECT mac FROM devices WHERE type != 'server'").all() as Array<{ mac: string }>).map((r) => r.mac);
  } finally {
    db.close();
  }
}

async function eventually(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * RFC 2131 section 4.1 reply addressing against the real walt-server in network namespaces, with
 * clients that read replies in different ways: a UDP socket bound to its interface with no address
 * (limited broadcast only), busybox udhcpc (raw socket: unicast through an ARP entry, or broadcast
 * with -B), the `dhcp` npm package's client, then the `tftp` package's client against our TFTP
 * server. walt-net has no route for 255.255.255.255 here: replies must leave by interface, not by
 * route. A second link of the server namespace, outside walt-net, must get no answer.
 */
describe.skipIf(skipUnless({ root: true, commands: ['ip', 'busybox', 'python3', 'iptables'] }))('DHCP reply addressing (RFC 2131 4.1) with RFC-strict clients', () => {
  let net: TestNetwork;
  let server: ServerHandle;
  let images: string;
  let work: string;
  let foreign: { ns: string; ifname: string; outer: string };
  const startUboot = Buffer.from(Array.from({ length: 50_000 }, (_, i) => (i * 31 + 5) & 0xff));

  beforeAll(async () => {
    net = createTestNetwork({ tag: 'drply', subnet: SUBNET });
    // The helper adds this route for the other tests; the server must not need it.
    ip('-n', net.serverNs, 'route', 'del', '255.255.255.255/32', 'dev', net.serverIf);
    // A second link of the server, outside walt-net (another LAN the server is on).
    const tag = net.serverNs.replace(/-srv$/, '');
    foreign = { ns: `${tag}-fx`, ifname: 'eth0', outer: `${tag}fx` };
    try {
      execFileSync('ip', ['netns', 'del', foreign.ns], { stdio: 'ignore' });
    } catch {
      /* not there */
    }
    ip('netns', 'add', foreign.ns);
    ip('link', 'add', foreign.outer, 'netns', net.serverNs, 'type', 'veth', 'peer', 'name', foreign.ifname, 'netns', foreign.ns);
    ip('-n', net.serverNs, 'addr', 'add', '10.170.0.1/24', 'dev', foreign.outer);
    ip('-n', net.serverNs, 'link', 'set', foreign.outer, 'up');
    ip('-n', foreign.ns, 'link', 'set', foreign.ifname, 'address', '02:fe:00:00:00:01');
    ip('-n', foreign.ns, 'link', 'set', foreign.ifname, 'up');

    images = mkdtempSync(join(tmpdir(), 'walt-drply-images-'));
    work = mkdtempSync(join(tmpdir(), 'walt-drply-'));
    DirectoryImageStore.writeImage(images, 'waltplatform/rpi-3-b-plus-default:latest', { 'boot/rpi-3-b-plus/start.uboot': startUboot }, { models: ['rpi-3-b-plus'] });
    server = await startServer({
      netns: net.serverNs,
      config: `network:\n  walt-net:\n    raw-device: ${net.serverIf}\n    ip: ${net.serverIp}/${net.prefix}\nimages:\n  directory: ${images}\napi:\n  port: 0\n`,
    });
    await eventually(() => server.output().includes('TFTP server listening'), 'the TFTP server');
  });

  afterAll(async () => {
    await server?.stop({ cleanup: true });
    net?.destroy();
    try {
      execFileSync('ip', ['netns', 'del', foreign.ns], { stdio: 'ignore' });
    } catch {
      /* already gone */
    }
    rmSync(images, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it('the start-up line says how replies are sent', () => {
    const line = platformLines(server.dataDir, 'platform.dhcp').find((l) => l.startsWith('DHCP serving walt-net'));
    expect(line).toContain(`on ${net.serverIf}`);
    expect(line).toContain(`255.255.255.255 out of ${net.serverIf} only`);
  });

  it('20 clients on a UDP socket bound to their interface with no address (broadcast flag) all get their lease', () => {
    const client = net.addClient('02:bb:00:00:00:99');
    const { leases, done } = boundClient(client.ns, client.ifname, { count: 20, macPrefix: '02:bb:01', vendorClass: 'walt.node.rpi-3-b-plus', timeoutS: 30 });
    expect(done.leased).toBe(20);
    expect(new Set(leases.map((l) => l.ip)).size).toBe(20);
    for (const l of leases) {
      expect(l.ip.startsWith(`${SUBNET}.`)).toBe(true);
      expect(l.server).toBe(net.serverIp);
      expect(l.to).toBe('255.255.255.255');
    }
    expect(storedMacs(server.dataDir)).toEqual(expect.arrayContaining(leases.map((l) => l.mac)));
  });

  it('busybox udhcpc gets its lease by unicast (broadcast flag clear: an ARP entry, then yiaddr) and by broadcast (-B)', () => {
    const unicast = net.addClient(RPI_MAC);
    const lease = udhcpc(unicast.ns, unicast.ifname, { vendorClass: 'walt.node.rpi-3-b-plus' });
    expect(lease.ip.startsWith(`${SUBNET}.`)).toBe(true);
    // The unicast path leaves its trace: the server's ARP entry for the offered address.
    expect(ip('-n', net.serverNs, 'neigh', 'show', 'dev', net.serverIf)).toContain(`${lease.ip} lladdr ${RPI_MAC}`);
    const broadcast = net.addClient('02:bb:00:00:00:42');
    const other = udhcpc(broadcast.ns, broadcast.ifname, { extra: ['-B'] });
    expect(other.ip.startsWith(`${SUBNET}.`)).toBe(true);
    expect(other.ip).not.toBe(lease.ip);
  });

  it('a client renewing its lease (ciaddr set, broadcast flag clear) gets the ACK by unicast to ciaddr', () => {
    const client = net.addClient('02:bb:00:00:00:45');
    const lease = boundClient(client.ns, client.ifname, { count: 1, macPrefix: '02:bb:03', timeoutS: 10 }).leases[0];
    expect(lease).toBeDefined();
    ip('-n', client.ns, 'addr', 'add', `${lease.ip}/${net.prefix}`, 'dev', client.ifname);
    const renew = boundClient(client.ns, client.ifname, { renew: lease.ip, server: net.serverIp, mac: lease.mac, timeoutS: 5 });
    // `to`: the destination of the reply's IP header, as the client's kernel saw it.
    expect(renew.done.replies).toEqual([{ type: 5, ip: lease.ip, to: lease.ip }]);
  });

  it('a client asking for an address that is not its own gets the NAK by 255.255.255.255', () => {
    const client = net.addClient('02:bb:00:00:00:46');
    const { done } = boundClient(client.ns, client.ifname, { initReboot: '10.1.2.3', mac: '02:bb:00:00:00:46', timeoutS: 2 });
    expect(done.replies?.length).toBeGreaterThan(0);
    for (const r of done.replies ?? []) expect(r).toEqual({ type: 6, ip: '0.0.0.0', to: '255.255.255.255' });
  });

  it("the `dhcp` npm package's client gets a lease", () => {
    const client = net.addClient('02:bb:00:00:00:43');
    // Its trap: it sends to 255.255.255.255 by the routing table (the client side's route, not the server's).
    ip('-n', client.ns, 'route', 'add', '255.255.255.255/32', 'dev', client.ifname);
    const out = inNetns(client.ns, process.execPath, [DHCP_PACKAGE_CLIENT, '02:bb:00:00:00:43', '20000'], 30_000);
    const bound = JSON.parse(out.trim().split('\n').pop()!) as { ip: string; server: string };
    expect(bound.ip.startsWith(`${SUBNET}.`)).toBe(true);
    expect(bound.server).toBe(net.serverIp);
    expect(storedMacs(server.dataDir)).toContain('02:bb:00:00:00:43');
  });

  it("the `tftp` npm package's client fetches start.uboot from our TFTP server", () => {
    const client = net.addClient('b8:27:eb:70:00:02');
    const lease = udhcpc(client.ns, client.ifname, { vendorClass: 'walt.node.rpi-3-b-plus', extra: ['-B'] });
    ip('-n', client.ns, 'addr', 'add', `${lease.ip}/${net.prefix}`, 'dev', client.ifname);
    for (const blockSize of ['512', '1468']) {
      const out = join(work, `start.uboot.${blockSize}`);
      inNetns(client.ns, process.execPath, [TFTP_PACKAGE_CLIENT, net.serverIp, 'start.uboot', out, blockSize], 30_000);
      expect(readFileSync(out).equals(startUboot), `blksize ${blockSize}`).toBe(true);
    }
  });

  it('requests arriving on another interface than walt-net get no answer and register nothing, without the firewall rule', async () => {
    // Take the firewall's DROP rule for port 67 away: the server itself must tell where a request came from.
    const rule = ['INPUT', '-p', 'udp', '-m', 'udp', '--dport', '67', '!', '-i', net.serverIf, '-j', 'DROP'];
    await eventually(() => inNetns(net.serverNs, 'iptables', ['-S', 'INPUT']).includes(`! -i ${net.serverIf}`), 'the firewall rule');
    inNetns(net.serverNs, 'iptables', ['-D', ...rule]);
    expect(inNetns(net.serverNs, 'iptables', ['-S', 'INPUT'])).not.toContain(`! -i ${net.serverIf}`);
    // INIT-REBOOT: a REQUEST for a walt-net address, which walt-net's server would ACK and register.
    const reboot = boundClient(foreign.ns, foreign.ifname, { initReboot: `${SUBNET}.77`, mac: '02:fe:00:00:00:01', timeoutS: 3 });
    expect(reboot.done.replies).toEqual([]);
    const discover = boundClient(foreign.ns, foreign.ifname, { count: 1, macPrefix: '02:fe:01', timeoutS: 3 });
    expect(discover.done.leased).toBe(0);
    expect(storedMacs(server.dataDir).filter((m) => m.startsWith('02:fe:'))).toEqual([]);
    await eventually(
      () => platformLines(server.dataDir, 'platform.dhcp').some((l) => l.includes(`arrived on ${foreign.outer}, not on walt-net`)),
      'the log line of the ignored request',
    );
    // walt-net itself is still served.
    const client = net.addClient('02:bb:00:00:00:44');
    expect(boundClient(client.ns, client.ifname, { count: 1, macPrefix: '02:bb:02', timeoutS: 10 }).done.leased).toBe(1);
  });
});

/**
 * The fallback when @walt/tftp-native's DHCP socket is not built: the server still serves clients
 * that read replies with their own packet stack (udhcpc), says at start what it cannot do, and the
 * client that needs 255.255.255.255 is the one left out.
 */
describe.skipIf(skipUnless({ root: true, commands: ['ip', 'busybox', 'python3'] }))('DHCP without the native socket (addon not built)', () => {
  it('serves udhcpc, logs the fallback at start, and says which clients get nothing', async () => {
    const net = createTestNetwork({ tag: 'drpfb', subnet: '192.168.171' });
    const images = mkdtempSync(join(tmpdir(), 'walt-drpfb-images-'));
    let server: ServerHandle | undefined;
    try {
      server = await startServer({
        netns: net.serverNs,
        config: `network:\n  walt-net:\n    raw-device: ${net.serverIf}\n    ip: ${net.serverIp}/${net.prefix}\nimages:\n  directory: ${images}\napi:\n  port: 0\n`,
        env: { NODE_OPTIONS: `--require ${WITHOUT_ADDON}` },
      });
      const lines = platformLines(server.dataDir, 'platform.dhcp');
      expect(lines.find((l) => l.startsWith('DHCP serving walt-net'))).toContain("replies to walt-net's broadcast address 192.168.171.255, not 255.255.255.255");
      expect(server.output()).toMatch(/ERROR platform\.dhcp -> DHCP cannot send 255\.255\.255\.255 out of walt-net only: .*@walt\/tftp-native is not available/);
      const client = net.addClient('02:bb:10:00:00:01');
      expect(udhcpc(client.ns, client.ifname).ip.startsWith('192.168.171.')).toBe(true);
      const bound = net.addClient('02:bb:10:00:00:02');
      expect(boundClient(bound.ns, bound.ifname, { count: 1, macPrefix: '02:bb:11', timeoutS: 3 }).done.leased).toBe(0);
      expect(server.process.exitCode).toBeNull();
    } finally {
      await server?.stop({ cleanup: true });
      net.destroy();
      rmSync(images, { recursive: true, force: true });
    }
  });
});
