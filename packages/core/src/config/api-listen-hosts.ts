import { isIP } from 'node:net';
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

/**
 * Where the user API listens: `api.host` (loopback by default) and each entry of `api.listen`, a
 * network of the config (walt-out, walt-adm, even walt-net if the admin wants it) or an address.
 * walt-net is not there by default: nodes only need the node channel, TFTP and NFS.
 */
export function userApiHosts(config: Pick<ServerConfig, 'api' | 'network'>, interfaceAddress: (device: string) => string | undefined = firstIpv4Of): string[] {
  const hosts = [config.api.host];
  if (WILDCARDS.includes(config.api.host)) return hosts;
  for (const entry of config.api.listen ?? []) {
    const address = isIP(entry) ? entry : networkAddress(config, entry, interfaceAddress);
    if (!hosts.includes(address)) hosts.push(address);
  }
  return hosts;
}

function networkAddress(config: Pick<ServerConfig, 'network'>, name: string, interfaceAddress: (device: string) => string | undefined): string {
  const network = name === 'walt-net' ? config.network.waltNet : name === 'walt-adm' ? config.network.waltAdm : config.network.unmanaged[name];
  if (!network) throw new Error(`api.listen names '${name}', which is not a network of this config (network: walt-net, walt-adm, walt-out...)`);
  if (network.ip !== 'dhcp') return network.ip.split('/')[0];
  const address = network.rawDevice ? interfaceAddress(network.rawDevice) : undefined;
  if (!address) throw new Error(`api.listen names '${name}', whose address (dhcp) is not known yet: no IPv4 address on ${network.rawDevice ?? 'its interface'}`);
  return address;
}

function firstIpv4Of(device: string): string | undefined {
  return networkInterfaces()[device]?.find((a) => a.family === 'IPv4')?.address;
}
