import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectoryImageStore } from '../../../packages/core/src/images/directory-image-store.js';
import { createTestNetwork, inNetns, type TestNetwork } from '../../helpers/netns.js';
import { platformLines } from '../../helpers/platform-log.js';
import { skipUnless } from '../../helpers/prerequisites.js';
import { REPO, startServer, type ServerHandle } from '../../helpers/walt-processes.js';

// A client on an AF_PACKET socket that retransmits as we ask (test/helpers/raw-dhcp-client.py).
const RAW_CLIENT = join(REPO, 'test/helpers/raw-dhcp-client.py');
const VENDOR_CLASS = 'walt.node.rpi-3-b-plus';

interface CopiesResult {
  offers: number;
  acks: number;
  acksAfterAck: number;
  naks: number;
  ip: string | null;
}

function copies(ns: string, mac: string, k: number): CopiesResult {
  const out = inNetns(ns, 'python3', [RAW_CLIENT, 'eth0', JSON.stringify({ copies: k, mac, waitS: 1.5, vendorClass: VENDOR_CLASS })], 30_000);
  return JSON.parse(out.trim().split('\n').pop()!) as CopiesResult;
}

function serverConfig(net: TestNetwork, images: string): string {
  return `network:\n  walt-net:\n    raw-device: ${net.serverIf}\n    ip: ${net.serverIp}/${net.prefix}\nimages:\n  directory: ${images}\napi:\n  port: 0\n`;
}

describe.skipIf(skipUnless({ root: true, commands: ['ip', 'python3'] }))('DHCP retransmissions (network namespaces, a raw-socket client that retransmits fast)', () => {
  let net: TestNetwork;
  let server: ServerHandle | undefined;
  let images: string;
  let client: { ns: string; ifname: string };

  beforeAll(async () => {
    net = createTestNetwork({ tag: 'dretx', subnet: '192.168.163' });
    client = net.addClient('02:aa:00:00:00:01');
    images = mkdtempSync(join(tmpdir(), 'walt-dhcp-retx-images-'));
    DirectoryImageStore.writeImage(images, 'waltplatform/rpi-3-b-plus-default:latest', { 'boot/rpi-3-b-plus/start.uboot': 'uboot' }, { models: ['rpi-3-b-plus'] });
    server = await startServer({ netns: net.serverNs, config: serverConfig(net, images) });
  });

  afterAll(async () => {
    await server?.stop({ cleanup: true });
    net?.destroy();
    rmSync(images, { recursive: true, force: true });
  });

  it('copies of a DISCOVER and of a REQUEST sent back to back get one OFFER and one ACK; a copy sent after the ACK gets it again', () => {
    const mac = '02:aa:00:00:10:01';
    const r = copies(client.ns, mac, 6);
    expect(r).toMatchObject({ offers: 1, acks: 1, acksAfterAck: 1, naks: 0 });
    expect(r.ip).toMatch(/^192\.168\.163\.\d+$/);
    expect(platformLines(server!.dataDir).filter((l) => l.includes(`mac=${mac}`))).toEqual([`new node name=node-001001 model=rpi-3-b-plus mac=${mac} ip=${r.ip}`]);
    // A new exchange (another xid) of the same client is answered in full, with the same address.
    const again = copies(client.ns, mac, 1);
    expect(again).toMatchObject({ offers: 1, acks: 1, acksAfterAck: 1, ip: r.ip });
  });

  it('every ACK of a storm with fast retransmissions is durable: after kill -9 right after ACKs, each acknowledged lease and device is there, also after a restart', async () => {
    const dataDir = server!.dataDir;
    const storm = spawn('ip', ['netns', 'exec', client.ns, 'python3', RAW_CLIENT, 'eth0', JSON.stringify({ storm: 150, macPrefix: '02:ab:00', retryMs: 15, concurrency: 48, timeoutS: 60, vendorClass: VENDOR_CLASS })], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acked = new Map<string, string>();
    let buffer = '';
    let killed = false;
    const ended = new Promise<void>((resolve) => storm.on('close', () => resolve()));
    storm.stdout.on('data', (d) => {
      buffer += d;
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const e = JSON.parse(buffer.slice(0, nl)) as { ack?: string; ip?: string };
        buffer = buffer.slice(nl + 1);
        if (e.ack) acked.set(e.ack, e.ip!);
        // Kill the server in the middle of the storm, right after an ACK left.
        if (!killed && acked.size >= 60) {
          killed = true;
          server!.process.kill('SIGKILL');
        }
      }
    });
    const serverExit = new Promise<void>((resolve) => server!.process.on('exit', () => resolve()));
    await serverExit;
    expect(killed).toBe(true);
    // ACKs that were in flight when it died still count: let the client read them, then stop it.
    await new Promise((r) => setTimeout(r, 1000));
    storm.kill('SIGTERM');
    await ended;
    server = undefined;
    expect(acked.size).toBeGreaterThanOrEqual(60);
    expect(acked.size).toBeLessThan(150); // it died mid-storm

    const db = new Database(join(dataDir, 'walt.db'), { fileMustExist: true });
    const leases = new Map((db.prepare('SELECT mac, ip FROM dhcp_leases').all() as Array<{ mac: string; ip: string }>).map((l) => [l.mac, l.ip]));
    const devices = new Map((db.prepare('SELECT mac, ip FROM devices').all() as Array<{ mac: string; ip: string | null }>).map((d) => [d.mac, d.ip]));
    db.close();
    const missing = [...acked].filter(([mac, ip]) => leases.get(mac) !== ip || devices.get(mac) !== ip);
    expect(missing, `acknowledged but not stored: ${JSON.stringify(missing.slice(0, 5))}`).toEqual([]);

    server = await startServer({ netns: net.serverNs, dataDir, config: serverConfig(net, images) });
    const m = await server.waitForOutput(/DHCP serving walt-net \S+ on \S+ \((\d+) leases?/);
    expect(Number(m[1])).toBeGreaterThanOrEqual(acked.size);
    const [mac, ip] = [...acked][0];
    expect(copies(client.ns, mac, 1)).toMatchObject({ acks: 1, ip });
  });
});
