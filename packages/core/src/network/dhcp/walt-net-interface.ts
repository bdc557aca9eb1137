import { networkInterfaces } from 'node:os';

/** The name of the interface holding the server's walt-net address (the walt-net bridge), if configured. */
export function interfaceHolding(ip: string): string | undefined {
  for (const [name, addresses] of Object.entries(networkInterfaces())) {
    if (addresses?.some((a) => a.family === 'IPv4' && a.address === ip)) return name;
  }
  return undefined;
}
