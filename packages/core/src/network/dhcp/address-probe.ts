import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';

/** /proc/net/arp flag of a resolved entry (ATF_COM). */
const ATF_COM = 0x2;
const POLL_MS = 50;

/** The MAC the neighbour table holds for `ip`, if resolved. */
function neighbourMac(ip: string): string | undefined {
  let table: string;
  try {
    table = readFileSync('/proc/net/arp', 'utf8');
  } catch {
    return undefined;
  }
  for (const line of table.split('\n').slice(1)) {
    const [addr, , flags, mac] = line.trim().split(/\s+/);
    if (addr === ip && (Number(flags) & ATF_COM) !== 0 && mac && mac !== '00:00:00:00:00:00') return mac.toLowerCase();
  }
  return undefined;
}

/**
 * Who answers at `ip` on walt-net (an ARP probe, as a client does before it declines): a datagram
 * to the discard port makes the kernel resolve the address (or confirm a cached entry), and its
 * neighbour table says which MAC answered. Undefined when nobody answers within `timeoutMs`.
 * No raw socket needed; the datagram itself is harmless.
 */
export async function macAnsweringAt(ip: string, timeoutMs = 1000): Promise<string | undefined> {
  // The table may hold an entry the server planted itself (the ARP entry of a unicast ACK, which
  // names the declining client): forget it first, so the answer comes from the wire.
  await forgetNeighbour(ip);
  const socket = createSocket('udp4');
  socket.on('error', () => undefined);
  try {
    await new Promise<void>((resolve) => socket.send(Buffer.from([0]), 9, ip, () => resolve()));
    for (let waited = 0; waited <= timeoutMs; waited += POLL_MS) {
      const mac = neighbourMac(ip);
      if (mac) return mac;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    return undefined;
  } finally {
    socket.close();
  }
}

/** Drop the neighbour table's entry for `ip` (`ip neigh flush to`); nothing happens without `ip`. */
function forgetNeighbour(ip: string): Promise<void> {
  return new Promise((resolve) => {
    execFile('ip', ['neigh', 'flush', 'to', ip], { timeout: 2000 }, () => resolve());
  });
}
