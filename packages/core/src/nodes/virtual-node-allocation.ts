import { randomBytes } from 'node:crypto';

/** How many random MACs are drawn before giving up (2^24 candidates: a clash is rare). */
const MAC_ATTEMPTS = 1000;

/** A random `52:54:00:xx:xx:xx` MAC (qemu's range, as the original draws them) not in `taken`. */
export function freeVirtualMac(taken: (mac: string) => boolean, random: () => Buffer = () => randomBytes(3)): string {
  for (let i = 0; i < MAC_ATTEMPTS; i++) {
    const mac = `52:54:00:${[...random().subarray(0, 3)].map((b) => b.toString(16).padStart(2, '0')).join(':')}`;
    if (!taken(mac)) return mac;
  }
  throw new Error('no free 52:54:00 MAC address found');
}

/**
 * The lowest host address of the walt-net subnet (e.g. 192.168.152.1/24) that nobody uses: not the
 * network or broadcast address, not the server, not a device. Undefined when the subnet is full.
 */
export function lowestFreeIp(cidr: string, used: ReadonlySet<string>): string | undefined {
  const [base, prefixText] = cidr.split('/');
  const prefix = Number(prefixText ?? 32);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > 30) return undefined;
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  const network = (toInt(base) & mask) >>> 0;
  const size = 2 ** (32 - prefix);
  for (let host = 1; host < size - 1; host++) {
    const ip = toIp((network + host) >>> 0);
    if (!used.has(ip)) return ip;
  }
  return undefined;
}

/** Dotted netmask of a prefix length (24 -> 255.255.255.0). */
export function netmaskOf(cidr: string): string {
  const prefix = Number(cidr.split('/')[1] ?? 32);
  return toIp(prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0);
}

function toInt(ip: string): number {
  return ip.split('.').reduce((acc, part) => ((acc << 8) | Number(part)) >>> 0, 0);
}

function toIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}
