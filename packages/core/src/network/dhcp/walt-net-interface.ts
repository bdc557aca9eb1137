import { execFileSync } from 'node:child_process';
import { networkInterfaces } from 'node:os';

/**
 * The name of the interface holding the server's walt-net address (the walt-net bridge, or the raw
 * device an admin configured by hand), if configured. Node's interface list skips interfaces without
 * carrier (a bridge whose only ports are taps of VMs not started yet, a raw device with nothing
 * plugged in yet), so `ip` is asked when that list has no answer: the firewall and the DHCP socket
 * must name the right interface from the start, whatever its carrier.
 */
export function interfaceHolding(ip: string): string | undefined {
  for (const [name, addresses] of Object.entries(networkInterfaces())) {
    if (addresses?.some((a) => a.family === 'IPv4' && a.address === ip)) return name;
  }
  return interfaceHoldingAnyState(ip);
}

function interfaceHoldingAnyState(address: string): string | undefined {
  try {
    const out = execFileSync('ip', ['-o', '-4', 'addr', 'show'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 });
    for (const line of out.split('\n')) {
      const m = /^\d+:\s+(\S+)\s+inet\s+([\d.]+)\//.exec(line);
      if (m && m[2] === address) return m[1];
    }
  } catch {
    /* no ip command: unknown */
  }
  return undefined;
}
