import { networkInterfaces } from 'node:os';
import type { ServerConfig } from './server-config.js';

const WILDCARDS = ['0.0.0.0', '::'];

/** The IPv4 addresses configured on this machine's interfaces. */
export function localIpv4Addresses(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((addresses) => addresses ?? [])
    .filter((a) => a.family === 'IPv4')
    .map((a) => a.address);
}

/**
 * Where the API listens: `api.host` (127.0.0.1 by default), then the server's walt-net address, so nodes
 * and users on walt-net reach it too. walt-net's address is added when walt-net has a raw device (the
 * server configures it; if it is not there yet, the caller serves on `api.host` alone and says so), or
 * when a virtual-only walt-net's address already exists here. A wildcard host already covers it.
 */
export function apiListenHosts(config: Pick<ServerConfig, 'api' | 'network'>, localAddresses: () => string[] = localIpv4Addresses): string[] {
  const main = config.api.host;
  if (WILDCARDS.includes(main)) return [main];
  const waltNetIp = config.network.waltNet.ip.split('/')[0];
  if (waltNetIp === main) return [main];
  if (config.network.waltNet.rawDevice || localAddresses().includes(waltNetIp)) return [main, waltNetIp];
  return [main];
}
