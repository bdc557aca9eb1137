import { createRequire } from 'node:module';
import type { ServerConfig } from '../../config/server-config.js';
import type { LogService } from '../../logs/log-service.js';
import { interfaceHolding } from '../dhcp/walt-net-interface.js';

/** The addon's answer to router solicitations (@walt/tftp-native is optional: loaded at run time, types only here). */
type RouterAdvertiserAddon = typeof import('@walt/tftp-native/router-advertiser');

/** A source's solicitations are logged once in this long (a booting Linux node sends three in 8 s). */
const LOG_EVERY_MS = 60_000;

/**
 * "No IPv6 router on walt-net", said to whoever asks. PXE ROMs and loaders built from iPXE (qemu's,
 * many NICs', undionly.kpxe) configure IPv6 alongside DHCP and wait ~16 s for a router
 * advertisement before they go on with the DHCP answer; an advertisement with no prefix, M=O=0 and
 * router lifetime 0 ends that wait at once and changes nothing for any host (no address, no
 * default router, no DHCPv6). Without the native addon or CAP_NET_RAW, boots just wait as before.
 */
export async function startRouterAdvertisements(deps: { config: ServerConfig; logs: LogService }): Promise<{ stop(): void }> {
  const serverIp = deps.config.network.waltNet.ip.split('/')[0];
  const ifname = interfaceHolding(serverIp);
  if (!ifname) throw new Error(`no interface holds the walt-net address ${serverIp}`);
  let addon: RouterAdvertiserAddon;
  try {
    addon = createRequire(import.meta.url)('@walt/tftp-native/router-advertiser') as RouterAdvertiserAddon;
  } catch (e) {
    throw new Error(`@walt/tftp-native is not available (${String((e as Error)?.message ?? e).split('\n')[0]}): iPXE clients wait ~16 s for IPv6 at each PXE boot`);
  }
  const lastLogged = new Map<string, number>();
  const advertiser = addon.open(ifname, (from, error) => {
    const notYet = isNoLinkLocalYet(error);
    const now = Date.now();
    if ((!error || notYet) && now - (lastLogged.get(from) ?? -Infinity) < LOG_EVERY_MS) return;
    lastLogged.set(from, now);
    if (lastLogged.size > 4096) lastLogged.clear();
    const source = `router solicitation from ${from || '::'} on ${ifname}`;
    if (notYet) deps.logs.platform('ndp', `${source}: not answered, ${ifname} has no usable IPv6 link-local address yet (being checked for duplicates after it came up, or IPv6 disabled on it); the host will ask again`);
    else if (error) deps.logs.platform('ndp', `${source}: cannot answer (${error})`, { error: true });
    else deps.logs.platform('ndp', `${source}: answered "no IPv6 router here"`);
  });
  deps.logs.platform('ndp', `answering IPv6 router solicitations on ${ifname}: no IPv6 router on walt-net`);
  return { stop: () => advertiser.close() };
}

/**
 * The send failed because the interface has no link-local address to send from: right after walt-net
 * comes up its link-local address is tentative (duplicate address detection, about a second), or IPv6
 * is disabled on it. Not an error of the server: hosts send solicitations again (RFC 4861: three, 4 s apart).
 */
export function isNoLinkLocalYet(error: string): boolean {
  return /\(EADDRNOTAVAIL\)/.test(error);
}
