import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { udhcpc } from '../../helpers/dhcp-client.js';
import { inNetns, ip, type TestNetwork } from '../../helpers/netns.js';
import { startNamespaceServer, type NamespaceServer } from '../../helpers/namespace-server.js';
import { platformLines } from '../../helpers/platform-log.js';
import { skipUnless } from '../../helpers/prerequisites.js';
import type { ServerHandle } from '../../helpers/walt-processes.js';

/** A DHCP message (RFC 2131; 4: DECLINE, 3: REQUEST) for `mac` and address `ip`, sent to the server from the namespace `ns`. */
function sendDhcp(ns: string, serverIp: string, mac: string, declined: string, type = 4, ciaddr = '0.0.0.0'): void {
  const script = `
const dgram = require('node:dgram');
const [mac, ip, server, type, ciaddr] = process.argv.slice(1);
const p = Buffer.alloc(240);
p[0] = 1; p[1] = 1; p[2] = 6; p.writeUInt32BE(0x5eedbeef, 4);
Buffer.from(ciaddr.split('.').map(Number)).copy(p, 12);
Buffer.from(mac.split(':').map((h) => parseInt(h, 16))).copy(p, 28);
p.writeUInt32BE(0x63825363, 236);
const ipBytes = (a) => a.split('.').map(Number);
const opts = Buffer.from([53, 1, Number(type), 50, 4, ...ipBytes(ip), 54, 4, ...ipBytes(server), 255]);
const s = dgram.createSocket('udp4');
s.send(Buffer.concat([p, opts]), 67, server, () => s.close());`;
  inNetns(ns, process.execPath, ['-e', script, mac, declined, serverIp, String(type), ciaddr]);
}

const sendDecline = (ns: string, serverIp: string, mac: string, declined: string) => sendDhcp(ns, serverIp, mac, declined);

function registeredIp(dataDir: string, mac: string): string | null {
  const db = new Database(join(dataDir, 'walt.db'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT ip FROM devices WHERE mac = ?').get(mac) as { ip: string | null }).ip;
  } finally {
    db.close();
  }
}

function leaseOf(dataDir: string, mac: string): string | undefined {
  const db = new Database(join(dataDir, 'walt.db'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT ip FROM dhcp_leases WHERE mac = ?').get(mac) as { ip: string } | undefined)?.ip;
  } finally {
    db.close();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Issue 14 item 4: a spoofed DECLINE must not lock a node out; a real conflict moves it, registry and lease together. */
describe.skipIf(skipUnless({ root: true, commands: ['ip', 'busybox', 'tftp'] }))('DHCPDECLINE is believed only when the conflict is real', () => {
  let net: TestNetwork;
  let server: ServerHandle;
  let ns: NamespaceServer;

  beforeAll(async () => {
    ns = await startNamespaceServer({ tag: 'decl', subnet: '192.168.172' });
    ({ net, server } = ns);
  });

  afterAll(() => ns?.stop());

  it('a DECLINE spoofed with the MAC and address of a running node changes nothing: same lease, same registry entry, TFTP serves it', async () => {
    const victimMac = 'b8:27:eb:00:d1:01';
    const victim = net.addClient(victimMac);
    const lease = udhcpc(victim.ns, victim.ifname, { vendorClass: 'walt.node.rpi-3-b-plus' });
    ip('-n', victim.ns, 'addr', 'add', `${lease.ip}/${net.prefix}`, 'dev', victim.ifname); // the node is up: it answers ARP
    const attacker = net.addClient('02:00:00:00:d1:66');
    ip('-n', attacker.ns, 'addr', 'add', `192.168.172.250/${net.prefix}`, 'dev', attacker.ifname);
    sendDecline(attacker.ns, net.serverIp, victimMac, lease.ip);
    await sleep(2500); // the probe takes up to 1 s
    expect(leaseOf(server.dataDir, victimMac)).toBe(lease.ip);
    expect(registeredIp(server.dataDir, victimMac)).toBe(lease.ip);
    expect(udhcpc(victim.ns, victim.ifname, { vendorClass: 'walt.node.rpi-3-b-plus' }).ip).toBe(lease.ip);
    const out = join(mkdtempSync(join(tmpdir(), 'walt-h-decline-tftp-')), 'start.uboot');
    inNetns(victim.ns, 'tftp', ['-m', 'binary', net.serverIp, '-c', 'get', 'start.uboot', out], 20_000);
    expect(readFileSync(out, 'utf8')).toBe('uboot script');

    // The node switched off: nothing answers, and a spoofed DECLINE still changes nothing.
    ip('-n', victim.ns, 'addr', 'flush', 'dev', victim.ifname);
    inNetns(net.serverNs, 'ip', ['neigh', 'flush', 'dev', net.serverIf]);
    sendDecline(attacker.ns, net.serverIp, victimMac, lease.ip);
    await sleep(2500);
    expect(leaseOf(server.dataDir, victimMac)).toBe(lease.ip);
    expect(registeredIp(server.dataDir, victimMac)).toBe(lease.ip);
    expect(platformLines(server.dataDir, 'platform.dhcp').join('\n')).not.toContain('declined');
  });

  it('a real conflict (another MAC answers at the address) moves the device: the registry and the lease agree', async () => {
    const mac = 'b8:27:eb:00:d2:01';
    const node = net.addClient(mac);
    const first = udhcpc(node.ns, node.ifname, { vendorClass: 'walt.node.rpi-3-b-plus' });
    // Another host takes the address; the node finds it (its ARP probe) and declines.
    const squatter = net.addClient('02:00:00:00:d2:99');
    ip('-n', squatter.ns, 'addr', 'add', `${first.ip}/${net.prefix}`, 'dev', squatter.ifname);
    // (udhcpc would send it from 0.0.0.0 by broadcast; a spare source address does the same for the server)
    ip('-n', node.ns, 'addr', 'add', `192.168.172.251/${net.prefix}`, 'dev', node.ifname);
    sendDecline(node.ns, net.serverIp, mac, first.ip);
    await sleep(2500);
    expect(leaseOf(server.dataDir, mac)).toBeUndefined();
    expect(registeredIp(server.dataDir, mac)).toBeNull();
    ip('-n', node.ns, 'addr', 'flush', 'dev', node.ifname);
    const second = udhcpc(node.ns, node.ifname, { vendorClass: 'walt.node.rpi-3-b-plus' });
    expect(second.ip).not.toBe(first.ip);
    expect(leaseOf(server.dataDir, mac)).toBe(second.ip);
    expect(registeredIp(server.dataDir, mac)).toBe(second.ip);
    expect(platformLines(server.dataDir, 'platform.dhcp')).toContainEqual(expect.stringContaining(`${mac} declined ${first.ip} and 02:00:00:00:d2:99 answers at it`));
  });

  it('a REQUEST whose client address is off walt-net gets no reply (the server would send it to any host)', async () => {
    const mac = 'b8:27:eb:00:d3:01';
    const node = net.addClient(mac);
    const lease = udhcpc(node.ns, node.ifname, { vendorClass: 'walt.node.rpi-3-b-plus' });
    ip('-n', node.ns, 'addr', 'add', `192.168.172.252/${net.prefix}`, 'dev', node.ifname);
    sendDhcp(node.ns, net.serverIp, mac, lease.ip, 3, '10.9.9.9');
    await sleep(1500);
    const dhcpLog = platformLines(server.dataDir, 'platform.dhcp').join('\n');
    expect(dhcpLog).not.toContain('reply to 10.9.9.9');
    expect(dhcpLog).toContain(`ignored a DHCP request of ${mac} with client address 10.9.9.9, which is not on walt-net`);
  });
});
