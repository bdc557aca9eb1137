import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectoryImageStore } from '../../../packages/core/src/images/directory-image-store.js';
import { prepareSimulatorNamespace, runSimulator, udhcpc } from '../../helpers/dhcp-client.js';
import { createTestNetwork, inNetns, type TestNetwork } from '../../helpers/netns.js';
import { platformLines } from '../../helpers/platform-log.js';
import { skipUnless } from '../../helpers/prerequisites.js';
import { startServer, type ServerHandle } from '../../helpers/walt-processes.js';

const RPI_MAC = 'b8:27:eb:f2:67:82';

/** Platform log lines of a stream, read from the server's store (WAL: readable while it runs). */
function devicesInStore(dataDir: string): Array<{ mac: string; ip: string | null; name: string; type: string }> {
  const db = new Database(join(dataDir, 'walt.db'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare("SELECT mac, ip, name, type FROM devices WHERE type != 'server'").all() as Array<{ mac: string; ip: string | null; name: string; type: string }>;
  } finally {
    db.close();
  }
}

function serverConfig(net: TestNetwork, images: string): string {
  return `network:\n  walt-net:\n    raw-device: ${net.serverIf}\n    ip: ${net.serverIp}/${net.prefix}\nimages:\n  directory: ${images}\napi:\n  port: 0\n`;
}

describe.skipIf(skipUnless({ root: true, commands: ['ip', 'busybox', 'iptables'] }))('DHCP on walt-net (network namespaces, real clients)', () => {
  let net: TestNetwork;
  let server: ServerHandle;
  let images: string;

  beforeAll(async () => {
    net = createTestNetwork({ tag: 'dhcp', subnet: '192.168.161' });
    images = mkdtempSync(join(tmpdir(), 'walt-dhcp-images-'));
    DirectoryImageStore.writeImage(images, 'waltplatform/rpi-3-b-plus-default:latest', { 'boot/rpi-3-b-plus/start.uboot': 'uboot' }, { models: ['rpi-3-b-plus'] });
    server = await startServer({ netns: net.serverNs, config: serverConfig(net, images) });
  });

  afterAll(async () => {
    await server?.stop({ cleanup: true });
    net?.destroy();
    rmSync(images, { recursive: true, force: true });
  });

  it('udhcpc with walt.node.rpi-3-b-plus gets a lease, the node is registered and logged, and keeps its IP', async () => {
    const client = net.addClient(RPI_MAC);
    const lease = udhcpc(client.ns, client.ifname, { vendorClass: 'walt.node.rpi-3-b-plus' });
    expect(lease.ip).toMatch(/^192\.168\.161\.\d+$/);
    expect(lease.ip).not.toBe(net.serverIp);
    expect(lease).toMatchObject({ siaddr: net.serverIp, serverid: net.serverIp, hostname: 'node-f26782', domain: 'walt', dns: net.serverIp, subnet: '255.255.255.0' });
    expect(lease.router).toBe(''); // LAN by default: no route out
    expect(platformLines(server.dataDir)).toContain(`new node name=node-f26782 model=rpi-3-b-plus mac=${RPI_MAC} ip=${lease.ip}`);
    const nodes = await server.walt(['node', 'show', '--all']);
    expect(nodes.code, nodes.stderr).toBe(0);
    expect(nodes.stdout).toContain('node-f26782');
    const again = udhcpc(client.ns, client.ifname, { vendorClass: 'walt.node.rpi-3-b-plus' });
    expect(again.ip).toBe(lease.ip);
  });

  it('a client without a walt class is registered as an unknown device, not a node', async () => {
    const client = net.addClient('02:42:ac:11:00:07');
    const lease = udhcpc(client.ns, client.ifname);
    expect(lease.hostname).toBe('unknown-110007');
    expect(platformLines(server.dataDir)).toContain(`new device name=unknown-110007 type=unknown mac=02:42:ac:11:00:07 ip=${lease.ip}`);
    const devices = await server.walt(['device', 'show']);
    expect(devices.code, devices.stderr).toBe(0);
    expect(devices.stdout).toContain('unknown-110007');
    const nodes = await server.walt(['node', 'show', '--all']);
    expect(nodes.stdout).not.toContain('unknown-110007');
  });

  it('a forgotten device loses its lease and is registered anew on its next request', async () => {
    const client = net.addClient('02:42:ac:11:00:08');
    const first = udhcpc(client.ns, client.ifname);
    expect(first.hostname).toBe('unknown-110008');
    const forget = await server.walt(['device', 'forget', '--force', 'unknown-110008']);
    expect(forget.code, forget.stderr).toBe(0);
    expect(devicesInStore(server.dataDir).some((d) => d.mac === '02:42:ac:11:00:08')).toBe(false);
    const before = platformLines(server.dataDir).filter((l) => l.startsWith('new device name=unknown-110008 ')).length;
    const again = udhcpc(client.ns, client.ifname);
    expect(again.hostname).toBe('unknown-110008');
    expect(platformLines(server.dataDir).filter((l) => l.startsWith('new device name=unknown-110008 ')).length).toBe(before + 1);
    expect(devicesInStore(server.dataDir)).toContainEqual(expect.objectContaining({ mac: '02:42:ac:11:00:08', ip: again.ip }));
  });

  it('netsetup=NAT: option 3 and a NAT rule for that device only', async () => {
    const natClient = net.addClient('02:42:ac:11:00:08');
    const first = udhcpc(natClient.ns, natClient.ifname);
    expect(first.router).toBe('');
    const set = await server.walt(['device', 'config', 'unknown-110008', 'netsetup=NAT']);
    expect(set.code, set.stderr + set.stdout).toBe(0);
    const nat = udhcpc(natClient.ns, natClient.ifname);
    expect(nat.router).toBe(net.serverIp);
    expect(nat.ip).toBe(first.ip);
    const lan = udhcpc(net.addClient('02:42:ac:11:00:09').ns, 'eth0');
    expect(lan.router).toBe('');
    // The registry's change reached the firewall (rules are per namespace: the server's).
    let rules = '';
    for (let i = 0; i < 50 && !rules.includes(`-A WALT -s ${nat.ip}/32 -j ACCEPT`); i++) {
      await new Promise((r) => setTimeout(r, 100));
      rules = inNetns(net.serverNs, 'iptables', ['-S', 'WALT']);
    }
    expect(rules).toContain(`-A WALT -s ${nat.ip}/32 -j ACCEPT`);
    expect(rules).not.toContain(`-s ${lan.ip}/32`);
    expect(rules).toContain('-A WALT -j DROP');
    expect(inNetns(net.serverNs, 'iptables', ['-t', 'nat', '-S', 'POSTROUTING'])).toContain('MASQUERADE');
  });

  it('10,000 malformed packets do not stop the server; a real client gets its lease afterwards', async () => {
    const fuzzer = net.addClient('02:66:00:00:00:01');
    prepareSimulatorNamespace(fuzzer.ns, fuzzer.ifname, '192.168.161.250/24');
    const run = runSimulator(fuzzer.ns, { malformed: 10_000, seed: 11, serverAddress: '255.255.255.255' });
    const done = await run.done;
    expect(run.events.find((e) => e.event === 'sent')?.count).toBe(10_000);
    expect(done.event).toBe('done');
    expect(server.process.exitCode).toBeNull();
    const client = net.addClient('b8:27:eb:00:00:42');
    const lease = udhcpc(client.ns, client.ifname, { vendorClass: 'walt.node.rpi-3-b-plus' });
    expect(lease.hostname).toBe('node-000042');
    const health = await server.walt(['device', 'show']);
    expect(health.code).toBe(0);
  });
});

describe.skipIf(skipUnless({ root: true, commands: ['ip', 'busybox'] }))('DHCP durability: kill -9 during a registration burst', () => {
  it('every acknowledged client keeps its IP and name after a restart, with no duplicates', async () => {
    const net = createTestNetwork({ tag: 'dhk9', subnet: '192.168.162', prefix: 22 });
    const images = mkdtempSync(join(tmpdir(), 'walt-dhcp-images-'));
    let server: ServerHandle | undefined;
    try {
      server = await startServer({ netns: net.serverNs, config: serverConfig(net, images) });
      const sim = net.addClient('02:77:00:00:00:01');
      prepareSimulatorNamespace(sim.ns, sim.ifname, '192.168.163.250/22');
      const acked = new Map<string, string>();
      const run = runSimulator(sim.ns, { count: 400, macPrefix: '02:88:00', retryMs: 300, timeoutMs: 8000 });
      let killed = false;
      run.onEvent((e) => {
        if (e.event !== 'ack') return;
        acked.set(e.mac as string, e.ip as string);
        if (!killed && acked.size >= 40) {
          killed = true;
          server!.process.kill('SIGKILL');
        }
      });
      await run.done;
      expect(killed).toBe(true);
      await server.stop();
      const before = new Map(devicesInStore(server.dataDir).map((d) => [d.mac, d]));
      for (const [mac, ip] of acked) {
        expect(before.get(mac), mac).toBeDefined();
        expect(before.get(mac)!.ip).toBe(ip);
      }
      server = await startServer({ netns: net.serverNs, config: serverConfig(net, images), dataDir: server.dataDir });
      const rerun = runSimulator(sim.ns, { clients: [...acked.keys()].map((mac) => ({ mac })), retryMs: 300, timeoutMs: 20_000 });
      const done = await rerun.done;
      const outcomes = done.outcomes as Array<{ mac: string; ip?: string }>;
      for (const o of outcomes) expect(o.ip, o.mac).toBe(acked.get(o.mac));
      const after = devicesInStore(server.dataDir);
      for (const [mac] of acked) expect(after.find((d) => d.mac === mac)?.name).toBe(before.get(mac)!.name);
      expect(new Set(after.map((d) => d.name)).size).toBe(after.length);
      const ips = after.map((d) => d.ip).filter(Boolean);
      expect(new Set(ips).size).toBe(ips.length);
    } finally {
      await server?.stop({ cleanup: true });
      net.destroy();
      rmSync(images, { recursive: true, force: true });
    }
  });
});
