import { isIPv4 } from 'node:net';

/** The walt-net subnet (from `network.walt-net.ip`, e.g. 192.168.152.1/24): decides what "inside walt-net" means. */
export class WaltNetSubnet {
  private readonly network: number;
  private readonly mask: number;

  constructor(readonly cidr: string) {
    const [ip, prefix] = cidr.split('/');
    const bits = Number(prefix);
    this.mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    this.network = (toInt(ip) & this.mask) >>> 0;
  }

  contains(ip: string | null | undefined): boolean {
    if (!ip || !isIPv4(ip)) return false;
    return ((toInt(ip) & this.mask) >>> 0) === this.network;
  }
}

function toInt(ip: string): number {
  return ip.split('.').reduce((acc, part) => ((acc << 8) | Number(part)) >>> 0, 0);
}
