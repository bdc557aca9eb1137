import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defineBootProtocol, modelFromClasses } from '@walt/sdk';
import { checkConfigText } from '../../config/load-config.js';
import { composeCore, type CoreServices } from '../../compose/core-services.js';
import type { DeviceRegistry } from '../../devices/device-registry.js';
import { DirectoryImageStore } from '../../images/directory-image-store.js';
import { emptyContributions } from '../../plugins/extension-registry.js';
import { buildClientRequest, DhcpClientSimulator, malformedDhcpPackets } from '@walt/sdk/testing';
import { DhcpMessageType, Opt } from '@walt/sdk/dhcp';
import type { DhcpServer } from './dhcp-server.js';
import { startDhcpService } from './dhcp-service.js';

const noSnmp = { open: () => { throw new Error('no SNMP in this test'); } };

/** A U-Boot-like protocol written for the test: claims walt.node.* requests, serves start.uboot. */
const testUboot = defineBootProtocol({
  id: 'test-uboot',
  description: 'test',
  claims: (r) => modelFromClasses(r) !== undefined,
  reply: () => ({ bootFile: 'start.uboot' }),
  identify: (r) => modelFromClasses(r),
});
const brokenProtocol = defineBootProtocol({
  id: 'broken',
  description: 'throws',
  order: 1,
  claims: () => {
    throw new Error('plugin bug');
  },
  reply: () => ({}),
});

interface Setup {
  core: CoreServices;
  dhcp: DhcpServer;
  sim: DhcpClientSimulator;
  dir: string;
  images: string;
  lines(): string[];
  close(): Promise<void>;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setup(options: { withImage?: boolean; store?: (dir: string) => DirectoryImageStore; dataDir?: string } = {}): Promise<Setup> {
  const dir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'walt-dhcp-unit-'));
  const images = join(dir, 'images');
  const config = checkConfigText(
    `network:\n  walt-net:\n    raw-device: eth9\n    ip: 192.168.152.1/24\nimages:\n  directory: ${images}\napi:\n  port: 0\n`,
    join(dir, 'server.conf'),
    dir,
  );
  const echoed: string[] = [];
  const core = composeCore(config, { echo: (l) => echoed.push(l), snmp: noSnmp, imageStore: options.store?.(images) });
  core.extensions.add('test', { ...emptyContributions(), bootProtocols: [testUboot, brokenProtocol] });
  if (options.withImage) DirectoryImageStore.writeImage(images, 'waltplatform/rpi-3-b-plus-default:latest', { 'boot/rpi-3-b-plus/start.uboot': 'x' });
  const sim = new DhcpClientSimulator({ serverAddress: '127.0.0.1', bindAddress: '127.0.0.1', clientPort: 0, retryMs: 300 });
  await sim.open();
  const { server: dhcp } = await startDhcpService(
    {
      config,
      db: core.db,
      logs: core.logs,
      registry: core.registry,
      extensions: core.extensions,
      leases: core.leasesRepo,
      defaultImages: core.defaultImages,
      serverName: core.identity.name,
    },
    { port: 0, bindAddress: '127.0.0.1', broadcastAddress: '127.0.0.1', replyPort: sim.port });
  (sim as unknown as { o: { serverPort: number } }).o.serverPort = dhcp.port;
  const close = async () => {
    sim.close();
    await dhcp.stop();
    core.db.close();
  };
  cleanups.push(async () => {
    await close().catch(() => undefined);
    if (!options.dataDir) rmSync(dir, { recursive: true, force: true });
  });
  return { core, dhcp, sim, dir, images, lines: () => echoed, close };
}

const rpi = { mac: 'b8:27:eb:f2:67:82', vendorClass: 'walt.node.rpi-3-b-plus' };
const text = (hex: string | undefined) => Buffer.from(hex ?? '', 'hex').toString('latin1');

describe('DHCP server (loopback)', () => {
  it('leases, registers the node, and answers with the WalT options and boot fields', async () => {
    const s = await setup({ withImage: true });
    const [o] = await s.sim.run([rpi], { timeoutMs: 5000 });
    expect(o.ip).toBe('192.168.152.2');
    const ack = o.ack!;
    expect(ack.siaddr).toBe('192.168.152.1');
    expect(ack.file).toBe('start.uboot');
    expect(ack.sname).toBe('walt-server');
    expect(text(ack.options[Opt.BOOTFILE_NAME])).toBe('start.uboot');
    expect(text(ack.options[Opt.TFTP_SERVER_NAME])).toBe('192.168.152.1');
    expect(text(ack.options[Opt.HOST_NAME])).toBe('node-f26782');
    expect(text(ack.options[Opt.DOMAIN_NAME])).toBe('walt');
    expect(ack.options[Opt.DOMAIN_SEARCH]).toBe('0477616c7400');
    expect(ack.options[Opt.SUBNET_MASK]).toBe('ffffff00');
    expect(ack.options[Opt.BROADCAST_ADDRESS]).toBe('c0a898ff');
    expect(ack.options[Opt.DNS_SERVERS]).toBe('c0a89801');
    expect(ack.options[Opt.NTP_SERVERS]).toBe('c0a89801');
    expect(ack.options[Opt.SERVER_ID]).toBe('c0a89801');
    expect(Buffer.from(ack.options[Opt.LEASE_TIME], 'hex').readUInt32BE(0)).toBe(6_000_000);
    expect(ack.options[Opt.ROUTER]).toBeUndefined();
    expect(s.lines()).toContain('platform.devices -> new node name=node-f26782 model=rpi-3-b-plus mac=b8:27:eb:f2:67:82 ip=192.168.152.2');
    expect(s.lines().some((l) => l.includes('boot protocol broken failed in claims(): plugin bug'))).toBe(true);
    // Same IP again, and after a restart from the store.
    const [again] = await s.sim.run([rpi], { timeoutMs: 5000 });
    expect(again.ip).toBe('192.168.152.2');
    await s.close();
    const s2 = await setup({ withImage: true, dataDir: s.dir });
    const [third, other] = await s2.sim.run([rpi, { mac: '02:00:00:00:00:01' }], { timeoutMs: 5000 });
    expect(third.ip).toBe('192.168.152.2');
    expect(other.ip).toBe('192.168.152.3');
    expect(text(other.ack!.options[Opt.HOST_NAME])).toBe('unknown-000001');
    expect(other.ack!.file).toBe('');
    expect(s2.lines()).toContain('platform.devices -> new device name=unknown-000001 type=unknown mac=02:00:00:00:00:01 ip=192.168.152.3');
  });

  it('gives option 3 only to devices whose netsetup is NAT', async () => {
    const s = await setup({ withImage: true });
    const nat = { mac: '02:00:00:00:00:0a' };
    await s.sim.run([nat, rpi], { timeoutMs: 5000 });
    const repo = s.core.devicesRepo;
    repo.update({ ...repo.byMac(nat.mac)!, conf: { netsetup: 'NAT' } });
    const [a, b] = await s.sim.run([nat, rpi], { timeoutMs: 5000 });
    expect(a.ack!.options[Opt.ROUTER]).toBe('c0a89801');
    expect(b.ack!.options[Opt.ROUTER]).toBeUndefined();
  });

  it('NAKs a request for an address that is not the client\'s', async () => {
    const s = await setup({ withImage: true });
    await s.sim.run([rpi, { mac: '02:00:00:00:00:02' }], { timeoutMs: 5000 });
    const { parseDhcpPacket, serializeDhcpReply } = await import('@walt/sdk/dhcp');
    const { createSocket } = await import('node:dgram');
    const sock = createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    // Ask for the other client's address: the server broadcasts (here: to the simulator's port) a NAK.
    const got = new Promise<number>((resolve) => {
      const orig = (s.sim as unknown as { onReply: (m: Buffer) => void }).onReply.bind(s.sim);
      (s.sim as unknown as { onReply: (m: Buffer) => void }).onReply = (m: Buffer) => {
        const p = parseDhcpPacket(m);
        if (p.xid === 99) resolve(p.options.get(53)![0]);
        orig(m);
      };
    });
    const chaddr = Buffer.alloc(16);
    Buffer.from([0xb8, 0x27, 0xeb, 0xf2, 0x67, 0x82]).copy(chaddr);
    const req = serializeDhcpReply({
      op: 1, xid: 99, flags: 0x8000, ciaddr: '0.0.0.0', yiaddr: '0.0.0.0', siaddr: '0.0.0.0', giaddr: '0.0.0.0', chaddr, hlen: 6, htype: 1, sname: '', file: '',
      options: [[53, Buffer.from([3])], [50, Buffer.from([192, 168, 152, 3])]],
    });
    sock.send(req, s.dhcp.port, '127.0.0.1');
    expect(await got).toBe(6);
    sock.close();
  });

  it('survives 10,000 malformed packets, then still leases', async () => {
    const s = await setup({ withImage: true });
    let n = 0;
    for (const p of malformedDhcpPackets(10_000, 3)) {
      await s.sim.sendRaw(p);
      // Same process: let the server read before the socket buffer overflows.
      if (++n % 50 === 0) for (let k = 0; k < 100 && s.dhcp.stats.received < n - 20; k++) await new Promise((r) => setTimeout(r, 2));
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(s.dhcp.stats.received).toBeGreaterThan(9500);
    expect(s.dhcp.stats.malformed).toBeGreaterThan(6000); // the others are valid requests with odd options
    const [o] = await s.sim.run([rpi], { timeoutMs: 5000 });
    expect(o.ip).toMatch(/^192\.168\.152\./);
  });

  it('registers a node whose default image is missing as unknown, pulls the image once, then converts it', async () => {
    let pulls = 0;
    const s = await setup({
      store: (dir) =>
        new (class extends DirectoryImageStore {
          override async pull(fullname: string) {
            pulls++;
            await new Promise((r) => setTimeout(r, 300));
            DirectoryImageStore.writeImage(dir, fullname, { 'boot/rpi-3-b-plus/start.uboot': 'x' });
            return super.pull(fullname);
          }
        })(dir),
    });
    const other = { mac: 'b8:27:eb:00:00:01', vendorClass: 'walt.node.rpi-3-b-plus' };
    const [a] = await s.sim.run([rpi, other], { timeoutMs: 5000 });
    expect(text(a.ack!.options[Opt.HOST_NAME])).toMatch(/^unknown-/);
    const registry = s.core.registry;
    for (let i = 0; i < 50 && registry.byMac(rpi.mac)?.type !== 'node'; i++) await new Promise((r) => setTimeout(r, 100));
    expect(registry.byMac(rpi.mac)).toMatchObject({ type: 'node', name: 'node-f26782', model: 'rpi-3-b-plus' });
    for (let i = 0; i < 20 && registry.byMac(other.mac)?.type !== 'node'; i++) await new Promise((r) => setTimeout(r, 100));
    expect(registry.byMac(other.mac)?.type).toBe('node');
    expect(pulls).toBe(1);
    const lines = s.lines().join('\n');
    expect(lines).toContain("Device unknown-f26782 is a walt node of type 'rpi-3-b-plus'.");
    expect(lines).toContain("Trying to download a default image for 'rpi-3-b-plus' nodes: waltplatform/rpi-3-b-plus-default:latest...");
    expect(lines).toContain('Image waltplatform/rpi-3-b-plus-default:latest was downloaded successfully.');
    expect(lines).toContain('new node (device type previously unknown) name=node-f26782 model=rpi-3-b-plus mac=b8:27:eb:f2:67:82 ip=192.168.152.2');
  });

  it('starts fetching a missing default image at the DISCOVER, before the node registers', async () => {
    const pulledAt: Array<{ registered: boolean }> = [];
    const seen: { registry?: DeviceRegistry } = {};
    const s = await setup({
      store: (dir) =>
        new (class extends DirectoryImageStore {
          override async pull(fullname: string) {
            pulledAt.push({ registered: seen.registry?.byMac(rpi.mac) !== undefined });
            DirectoryImageStore.writeImage(dir, fullname, { 'boot/rpi-3-b-plus/start.uboot': 'x' });
            return super.pull(fullname);
          }
        })(dir),
    });
    const registry = (seen.registry = s.core.registry);
    const discover = buildClientRequest({ mac: rpi.mac, xid: 0x1234, type: DhcpMessageType.DISCOVER, options: [[Opt.VENDOR_CLASS, Buffer.from(rpi.vendorClass)]] });
    await s.sim.sendRaw(discover);
    for (let i = 0; i < 50 && !pulledAt.length; i++) await new Promise((r) => setTimeout(r, 20));
    expect(pulledAt).toEqual([{ registered: false }]);
    // The DISCOVER alone registers nothing: the device appears with its REQUEST.
    expect(registry.byMac(rpi.mac)).toBeUndefined();
  });
});
