import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { DgramDhcpTransport } from './dgram-dhcp-transport.js';
import type { DatagramOrigin, DhcpTransport } from './dhcp-transport.js';
import { Ipv4Subnet } from './ipv4.js';
import { NativeDhcpTransport } from './native-dhcp-transport.js';
import { openDhcpTransport } from './open-dhcp-transport.js';

const subnet = new Ipv4Subnet('192.168.152.1/24');
const reports: string[] = [];
const report = (_key: string, line: string) => reports.push(line);
let transport: DhcpTransport | undefined;

afterEach(async () => {
  await transport?.stop();
  transport = undefined;
  reports.length = 0;
});

/** Send one datagram from an ephemeral loopback socket; what the transport saw, and the reply (if one comes within 1 s). */
async function exchange(t: DhcpTransport): Promise<{ origin: DatagramOrigin; reply?: Buffer }> {
  const client = createSocket('udp4');
  await new Promise<void>((r) => client.bind(0, '127.0.0.1', r));
  try {
    const seen = new Promise<{ msg: Buffer; origin: DatagramOrigin }>((resolve) => t.start((msg, origin) => resolve({ msg, origin })));
    await new Promise((r) => setTimeout(r, 20));
    client.send(Buffer.from('request'), t.port, '127.0.0.1');
    const { origin } = await seen;
    const reply = new Promise<Buffer | undefined>((resolve) => {
      client.once('message', resolve);
      setTimeout(() => resolve(undefined), 1000);
    });
    t.send(Buffer.from('reply'), { kind: 'unicast', ip: '127.0.0.1' }, client.address().port);
    return { origin, reply: await reply };
  } finally {
    setTimeout(() => client.close(), 10);
  }
}

describe('openDhcpTransport', () => {
  it('without the addon: dgram to the directed broadcast, marked degraded, saying why and what the clients lose', () => {
    transport = openDhcpTransport({ serverIp: '192.168.152.1', subnet, report, loadAddon: () => '@walt/tftp-native is not available (test)' });
    expect(transport).toBeInstanceOf(DgramDhcpTransport);
    expect(transport.degraded).toBe(true);
    expect(transport.description).toContain("walt-net's broadcast address 192.168.152.255");
    expect(transport.description).toContain('@walt/tftp-native is not available (test)');
    expect(transport.description).toContain('get no lease');
  });

  it('a loopback test address asks for dgram, not degraded', () => {
    transport = openDhcpTransport({ serverIp: '192.168.152.1', subnet, port: 0, bindAddress: '127.0.0.1', broadcastAddress: '127.0.0.1', report });
    expect(transport).toBeInstanceOf(DgramDhcpTransport);
    expect(transport.degraded).toBe(false);
  });

  it('with the addon built (as CI builds it): the native socket', () => {
    transport = openDhcpTransport({ serverIp: '192.168.152.1', subnet, report });
    expect(transport).toBeInstanceOf(NativeDhcpTransport);
    expect(transport.degraded).toBe(false);
  });
});

describe('NativeDhcpTransport on loopback', () => {
  it('tells a datagram that arrived on the walt-net interface (the one holding the server address) and answers it', async () => {
    transport = openDhcpTransport({ serverIp: '127.0.0.1', subnet, port: 0, report });
    // bindAddress is for dgram: the native transport binds 0.0.0.0; port 0 keeps the test off 67.
    const { origin, reply } = await exchange(transport);
    expect(origin.address).toBe('127.0.0.1');
    expect(origin.arrival).toEqual({ waltNet: true, interface: 'lo' });
    expect(reply?.toString()).toBe('reply');
    expect(transport.description).toContain('255.255.255.255 out of lo only');
    expect(reports).toEqual([]);
  });

  it('marks a datagram from another interface as not walt-net, naming that interface', async () => {
    transport = openDhcpTransport({ serverIp: '192.0.2.1', subnet, port: 0, report }); // no interface holds it
    const { origin, reply } = await exchange(transport);
    expect(origin.arrival).toEqual({ waltNet: false, interface: 'lo' });
    expect(reply).toBeUndefined();
    // Nothing can be sent while no interface holds the walt-net address: said once, not thrown.
    expect(reports.some((l) => l.includes('no interface holds the walt-net address 192.0.2.1'))).toBe(true);
  });
});
