import { intToIp, ipToInt } from '@walt/sdk/dhcp';

/** IPv4 address arithmetic on unsigned 32-bit numbers (the conversions are the DHCP codec's, in @walt/sdk/dhcp). */
export { intToIp, ipToInt };

/** An IPv4 subnet given as "<server ip>/<prefix>", as in server.conf's walt-net ip. */
export class Ipv4Subnet {
  readonly prefix: number;
  readonly network: number;
  readonly broadcast: number;
  readonly mask: number;
  /** The address part of the CIDR (the server's own address on walt-net). */
  readonly address: number;

  constructor(cidr: string) {
    const m = /^([^/]+)\/(\d{1,2})$/.exec(cidr);
    if (!m || Number(m[2]) > 32) throw new Error(`invalid IPv4 prefix '${cidr}' (expected e.g. 192.168.152.1/24)`);
    this.prefix = Number(m[2]);
    this.address = ipToInt(m[1]);
    this.mask = this.prefix === 0 ? 0 : (0xffffffff << (32 - this.prefix)) >>> 0;
    this.network = (this.address & this.mask) >>> 0;
    this.broadcast = (this.network | (~this.mask >>> 0)) >>> 0;
  }

  contains(ip: number | string): boolean {
    const n = typeof ip === 'string' ? ipToInt(ip) : ip;
    return ((n & this.mask) >>> 0) === this.network;
  }

  /** True for an address a host may use (not the network nor the broadcast address). */
  isHost(ip: number): boolean {
    return this.contains(ip) && ip !== this.network && ip !== this.broadcast;
  }

  get firstHost(): number {
    return this.network + 1;
  }

  get lastHost(): number {
    return this.broadcast - 1;
  }

  get maskString(): string {
    return intToIp(this.mask);
  }

  get broadcastString(): string {
    return intToIp(this.broadcast);
  }

  get addressString(): string {
    return intToIp(this.address);
  }

  toString(): string {
    return `${intToIp(this.network)}/${this.prefix}`;
  }
}
