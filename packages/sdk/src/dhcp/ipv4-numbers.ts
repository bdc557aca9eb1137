import { isIPv4 } from 'node:net';

/** IPv4 addresses as unsigned 32-bit numbers (the DHCP header's address fields). */
export function ipToInt(ip: string): number {
  if (!isIPv4(ip)) throw new Error(`invalid IPv4 address '${ip}'`);
  return ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0) >>> 0;
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}
