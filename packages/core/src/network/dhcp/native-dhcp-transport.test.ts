import { describe, expect, it } from 'vitest';
import { ARP_REUSE_MS, NativeDhcpTransport, type DhcpSocketAddon } from './native-dhcp-transport.js';

/** The addon faked: records what the transport asks of the socket (127.0.0.1 is on lo, index 1). */
function fakeAddon(arpResult = '') {
  const arp: string[] = [];
  const sent: string[] = [];
  const addon = {
    open: () => ({
      port: 67,
      send: (_b: Uint8Array, address: string) => (sent.push(address), ''),
      setArp: (ip: string, mac: Uint8Array) => (arp.push(`${ip}=${Buffer.from(mac).toString('hex')}`), arpResult),
      close: () => undefined,
    }),
    clockMs: () => 0,
    interfaceIndex: () => 1,
    interfaceName: () => 'lo',
  } as unknown as DhcpSocketAddon;
  return { addon, arp, sent };
}

describe('NativeDhcpTransport: ARP entries for unicast replies to clients without an address', () => {
  it('sets an entry once for an OFFER and its ACK, again for another MAC or after ARP_REUSE_MS', async () => {
    const { addon, arp, sent } = fakeAddon();
    let now = 0;
    const transport = new NativeDhcpTransport(addon, { port: 67, address: '0.0.0.0' }, '127.0.0.1', () => undefined, () => now);
    await transport.start(() => undefined);
    const reply = Buffer.alloc(300);
    const to = (mac: string) => ({ kind: 'hardware' as const, ip: '127.0.0.9', mac });
    transport.send(reply, to('02:00:00:00:00:01'), 68); // OFFER
    now += 20;
    transport.send(reply, to('02:00:00:00:00:01'), 68); // its ACK
    expect(arp).toEqual(['127.0.0.9=020000000001']);
    transport.send(reply, to('02:00:00:00:00:02'), 68); // the address now offered to another client
    expect(arp).toHaveLength(2);
    now += ARP_REUSE_MS;
    transport.send(reply, to('02:00:00:00:00:02'), 68);
    expect(arp).toHaveLength(3);
    expect(sent).toEqual(['127.0.0.9', '127.0.0.9', '127.0.0.9', '127.0.0.9']);
    await transport.stop();
  });

  it('an entry that could not be set is tried again, and the reply is broadcast meanwhile', async () => {
    const { addon, arp, sent } = fakeAddon('SIOCSARP: Operation not permitted');
    const reports: string[] = [];
    const transport = new NativeDhcpTransport(addon, { port: 67, address: '0.0.0.0' }, '127.0.0.1', (_k, line) => reports.push(line), () => 0);
    await transport.start(() => undefined);
    const to = { kind: 'hardware' as const, ip: '127.0.0.9', mac: '02:00:00:00:00:01' };
    transport.send(Buffer.alloc(300), to, 68);
    transport.send(Buffer.alloc(300), to, 68);
    expect(arp).toHaveLength(2);
    expect(sent).toEqual(['255.255.255.255', '255.255.255.255']);
    expect(reports[0]).toMatch(/cannot add the ARP entry 127.0.0.9 -> 02:00:00:00:00:01/);
    await transport.stop();
  });
});
