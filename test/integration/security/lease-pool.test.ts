import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { udhcpc } from '../../helpers/dhcp-client.js';
import { inNetns, ip, type TestNetwork } from '../../helpers/netns.js';
import { startNamespaceServer, type NamespaceServer } from '../../helpers/namespace-server.js';
import { platformLines } from '../../helpers/platform-log.js';
import { skipUnless } from '../../helpers/prerequisites.js';
import type { ServerHandle } from '../../helpers/walt-processes.js';

/** DHCPREQUESTs (INIT-REBOOT: no server id, requested address) for made-up MACs, from namespace `ns`. */
function requestAll(ns: string, serverIp: string, pairs: Array<[string, string]>): void {
  const script = `
const dgram = require('node:dgram');
const [server, ...rest] = process.argv.slice(1);
const s = dgram.createSocket('udp4');
let left = rest.length / 2;
for (let i = 0; i < rest.length; i += 2) {
  const p = Buffer.alloc(240);
  p[0] = 1; p[1] = 1; p[2] = 6; p.writeUInt32BE(0x1000 + i, 4);
  Buffer.from(rest[i].split(':').map((h) => parseInt(h, 16))).copy(p, 28);
  p.writeUInt32BE(0x63825363, 236);
  const opts = Buffer.from([53, 1, 3, 50, 4, ...rest[i + 1].split('.').map(Number), 255]);
  s.send(Buffer.concat([p, opts]), 67, server, () => { if (--left === 0) s.close(); });
}`;
  inNetns(ns, process.execPath, ['-e', script, serverIp, ...pairs.flat()], 30_000);
}

/** Issue 14 item 5: made-up MACs cannot take every address for good. */
describe.skipIf(skipUnless({ root: true, commands: ['ip', 'busybox'] }))('a full lease pool', () => {
  let net: TestNetwork;
  let server: ServerHandle;
  let ns: NamespaceServer;

  beforeAll(async () => {
    // A /28: 13 addresses besides the server's.
    ns = await startNamespaceServer({ tag: 'pool', subnet: '192.168.173', prefix: 28 });
    ({ net, server } = ns);
  });
  afterAll(() => ns?.stop());

  it('registered nodes keep their addresses; the oldest unknown device is reclaimed for a genuine new node, and the log says so', async () => {
    const nodeMac = 'b8:27:eb:00:e1:01';
    const node = net.addClient(nodeMac);
    const nodeLease = udhcpc(node.ns, node.ifname, { vendorClass: 'walt.node.rpi-3-b-plus' });
    // Made-up MACs take every other address (one spare host address of the namespace sends them).
    const flooder = net.addClient('02:00:00:00:e1:ff');
    ip('-n', flooder.ns, 'addr', 'add', `192.168.173.14/${net.prefix}`, 'dev', flooder.ifname);
    const free = Array.from({ length: 13 }, (_, i) => `192.168.173.${i + 2}`).filter((a) => a !== nodeLease.ip);
    requestAll(flooder.ns, net.serverIp, free.map((a, i) => [`02:66:00:00:00:${(i + 1).toString(16).padStart(2, '0')}`, a]));
    await new Promise((r) => setTimeout(r, 1500));
    ip('-n', flooder.ns, 'addr', 'flush', 'dev', flooder.ifname);
    const devices = await server.walt(['device', 'show', '--json']);
    expect(devices.code, devices.stderr).toBe(0);
    expect(devices.stdout.match(/02:66:00:00:00:/g)).toHaveLength(12); // the pool is full

    const newcomer = net.addClient('b8:27:eb:00:e1:02');
    let lease: Record<string, string>;
    try {
      lease = udhcpc(newcomer.ns, newcomer.ifname, { vendorClass: 'walt.node.rpi-3-b-plus' });
    } catch (e) {
      throw new Error(`${(e as Error).message}\n${platformLines(server.dataDir, 'platform.dhcp').join('\n')}\n${server.output()}`);
    }
    expect(free).toContain(lease.ip);
    expect(udhcpc(node.ns, node.ifname, { vendorClass: 'walt.node.rpi-3-b-plus' }).ip).toBe(nodeLease.ip);
    expect(platformLines(server.dataDir, 'platform.dhcp')).toContainEqual(expect.stringMatching(new RegExp(`^walt-net is full: address ${lease.ip.replace(/\./g, '\\.')} of unknown device .* reclaimed for a new device$`)));
  });
});
