import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ServerConfig } from '../../config/server-config.js';
import type { LogService } from '../../logs/log-service.js';
import { interfaceHolding } from '../dhcp/walt-net-interface.js';
import { setUpWaltAdm, setUpWaltNet, type InterfaceSetupResult } from './interface-setup.js';
import { IpCommandLinkTool, type LinkTool } from './link-tool.js';

/**
 * Set when the host's interfaces must be left alone (test runs on a shared host, a second server
 * beside a production one): walt-net is then whatever the admin configured.
 */
export const SKIP_NETWORK_SETUP_ENV = 'WALT_SKIP_NETWORK_SETUP';

export interface NetworkSetupOutcome {
  /** True when walt-net is ready to serve DHCP and TFTP on (its address is on an interface). */
  waltNetReady: boolean;
  waltNet?: InterfaceSetupResult;
  waltAdm?: InterfaceSetupResult;
}

/**
 * Bring walt-net (and walt-adm, when configured) up at server start. Failures never stop the
 * server: one ERROR line per network names the device and the commands the admin can run.
 */
export async function setUpNetworks(config: ServerConfig, logs: LogService, options: { bridgeMac?: string; tool?: LinkTool } = {}): Promise<NetworkSetupOutcome> {
  if (process.env[SKIP_NETWORK_SETUP_ENV]) {
    logs.platform('network', `${SKIP_NETWORK_SETUP_ENV} is set: interfaces left as they are`);
    const ip = config.network.waltNet.ip.split('/')[0];
    return { waltNetReady: !!config.network.waltNet.rawDevice || interfaceHolding(ip) !== undefined };
  }
  const tool = options.tool ?? new IpCommandLinkTool();
  const waltNet = attempt('walt-net', () => setUpWaltNet(config.network.waltNet, tool, { bridgeMac: options.bridgeMac }));
  report(waltNet, logs);
  const adm = config.network.waltAdm;
  const waltAdm = adm ? attempt('walt-adm', () => setUpWaltAdm(adm, tool)) : undefined;
  if (waltAdm) report(waltAdm, logs);
  // A bridge just brought up gets its carrier a moment later; until then its address is not listed
  // as usable (os.networkInterfaces) and DHCP could not tell where walt-net is.
  if (!waltNet.error && waltNet.changes.length && waltNet.interface && !(await carrierOf(waltNet.interface, CARRIER_WAIT_MS))) {
    const raw = config.network.waltNet.rawDevice;
    logs.platform('network', `walt-net: ${waltNet.interface} has no carrier yet${raw ? ` (is anything plugged into ${raw}?)` : ''}; nodes get answers once it has one`);
  }
  return { waltNetReady: !waltNet.error, waltNet, waltAdm };
}

const CARRIER_WAIT_MS = 5000;

/** Wait (bounded) until the interface has a carrier; false if it still has none at the deadline. */
async function carrierOf(name: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (readFileSync(`/sys/class/net/${name}/carrier`, 'utf8').trim() === '1') return true;
    } catch {
      /* down interfaces refuse the read: keep waiting */
    }
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
}

/** Reading the links can fail too (no `ip` command): that is one ERROR line like any other. */
function attempt(network: 'walt-net' | 'walt-adm', setUp: () => InterfaceSetupResult): InterfaceSetupResult {
  try {
    return setUp();
  } catch (e) {
    return { network, changes: [], error: `${network}: cannot read the network interfaces (${(e as Error).message}); install iproute2 and restart walt-server` };
  }
}

function report(result: InterfaceSetupResult, logs: LogService): void {
  if (result.changes.length) logs.platform('network', `${result.network} set up on ${result.interface}: ${result.changes.join('; ')}`);
  else if (!result.error) logs.platform('network', `${result.network} already set up on ${result.interface}`);
  if (result.error) logs.platform('network', result.error, { error: true });
  if (result.warning) logs.platform('network', result.warning, { error: true });
}
