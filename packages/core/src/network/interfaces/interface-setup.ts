import type { NetworkConfig } from '../../config/server-config.js';
import { LinkCommandError, type LinkState, type LinkTool } from './link-tool.js';

/** The name of the walt-net bridge, as in the original WalT. */
export const WALT_NET_BRIDGE = 'walt-net';
/** The port of a virtual-only walt-net bridge: a bridge with no port has no carrier, and no usable address. */
export const WALT_NET_DUMMY = 'walt-net-dummy';

/** What setting up one network did, or why it could not. */
export interface InterfaceSetupResult {
  network: 'walt-net' | 'walt-adm';
  /** The interface that carries the network's address (walt-net: the bridge, or the admin's own interface). */
  interface?: string;
  /** The ip commands that were run, in order (empty when everything was already in place). */
  changes: string[];
  /** One line: what failed and what the admin can run. */
  error?: string;
  /** One line worth a warning (walt-adm on dhcp without an address yet). */
  warning?: string;
}

interface Step {
  command: string;
  run: () => void;
}

/** `<raw>.<vlan>` when a vlan is set, else the raw device; null for a virtual-only walt-net. */
export function baseInterface(net: NetworkConfig): string | null {
  if (!net.rawDevice) return null;
  return net.vlan === undefined ? net.rawDevice : `${net.rawDevice}.${net.vlan}`;
}

const addressOf = (cidr: string) => cidr.split('/')[0];

function holderOf(links: LinkState[], ip: string): LinkState | undefined {
  return links.find((l) => l.addresses.some((a) => addressOf(a) === ip));
}

/**
 * walt-net as the original sets it up: a bridge `walt-net` whose only port is the raw device (or
 * its VLAN sub-interface), holding the server address, up. A virtual-only walt-net is the bridge
 * with a dummy port (so that it has a carrier), which virtual nodes' taps join. Idempotent: only what is missing is done, so a restart
 * changes nothing; when some interface already holds the address (configured by hand), it is used
 * as it is.
 */
export function setUpWaltNet(net: NetworkConfig, tool: LinkTool, options: { bridgeMac?: string } = {}): InterfaceSetupResult {
  const result: InterfaceSetupResult = { network: 'walt-net', changes: [] };
  const links = tool.list();
  const ip = addressOf(net.ip);
  const held = holderOf(links, ip);
  if (held) {
    result.interface = held.name;
    return runSteps(result, held.up ? [] : [upStep(tool, held.name)]);
  }
  const byName = new Map(links.map((l) => [l.name, l]));
  const base = baseInterface(net);
  const missing = missingRawDevice(net, byName, 'walt-net');
  if (missing) return { ...result, error: missing };
  const steps: Step[] = [...vlanSteps(net, tool, byName)];
  const bridge = byName.get(WALT_NET_BRIDGE);
  if (bridge && bridge.kind !== 'bridge') {
    return { ...result, error: `walt-net: an interface named ${WALT_NET_BRIDGE} exists and is not a bridge (${bridge.kind ?? 'kind unknown'}); remove it (ip link del ${WALT_NET_BRIDGE}) or give ${ip} to the interface you want walt-net on` };
  }
  if (!bridge) {
    const mac = options.bridgeMac;
    steps.push({ command: `ip link add name ${WALT_NET_BRIDGE}${mac ? ` address ${mac}` : ''} type bridge`, run: () => tool.addBridge(WALT_NET_BRIDGE, mac) });
  }
  const port = base ? byName.get(base) : byName.get(WALT_NET_DUMMY);
  if (!base && !port) {
    steps.push({ command: `ip link add name ${WALT_NET_DUMMY} type dummy`, run: () => tool.addDummy(WALT_NET_DUMMY) });
  }
  const member = base ?? WALT_NET_DUMMY;
  if (port?.master && port.master !== WALT_NET_BRIDGE) {
    return { ...result, error: `walt-net: ${member} is already a port of ${port.master}; remove it from there (ip link set dev ${member} nomaster) or give ${net.ip} to ${port.master} and set raw-device: ${port.master}` };
  }
  if (port?.master !== WALT_NET_BRIDGE) steps.push({ command: `ip link set dev ${member} master ${WALT_NET_BRIDGE}`, run: () => tool.setMaster(member, WALT_NET_BRIDGE) });
  if (!port?.up) steps.push(upStep(tool, member));
  steps.push({ command: `ip addr add ${net.ip} dev ${WALT_NET_BRIDGE}`, run: () => tool.addAddress(WALT_NET_BRIDGE, net.ip) });
  if (!bridge?.up) steps.push(upStep(tool, WALT_NET_BRIDGE));
  result.interface = WALT_NET_BRIDGE;
  return runSteps(result, steps);
}

/**
 * walt-adm (the switches' admin network): no bridge, the raw device (or its VLAN sub-interface)
 * gets the address and the altname walt-adm, and is brought up. With `ip: dhcp` the address is
 * the host DHCP client's business; a warning says so when there is none yet.
 */
export function setUpWaltAdm(net: NetworkConfig, tool: LinkTool): InterfaceSetupResult {
  const result: InterfaceSetupResult = { network: 'walt-adm', changes: [] };
  const links = tool.list();
  const byName = new Map(links.map((l) => [l.name, l]));
  const dhcp = net.ip === 'dhcp';
  const held = dhcp ? undefined : holderOf(links, addressOf(net.ip));
  if (held) {
    result.interface = held.name;
    return runSteps(result, held.up ? [] : [upStep(tool, held.name)]);
  }
  const missing = missingRawDevice(net, byName, 'walt-adm');
  if (missing) return { ...result, error: missing };
  const base = baseInterface(net)!;
  const steps = vlanSteps(net, tool, byName);
  const port = byName.get(base);
  if (!dhcp) steps.push({ command: `ip addr add ${net.ip} dev ${base}`, run: () => tool.addAddress(base, net.ip) });
  if (!port?.up) steps.push(upStep(tool, base));
  result.interface = base;
  runSteps(result, steps);
  if (result.error) return result;
  // The altname only helps the admin recognise the interface: older kernels lack it, never fatal.
  const named = links.some((l) => l.name === 'walt-adm' || l.altnames.includes('walt-adm'));
  if (!named) {
    try {
      tool.addAltName(base, 'walt-adm');
      result.changes.push(`ip link property add dev ${base} altname walt-adm`);
    } catch {
      /* no altname support: the interface keeps its name */
    }
  }
  if (dhcp && !(port?.addresses.length)) {
    result.warning = `walt-adm: ${base} has no address yet and network.walt-adm.ip is dhcp: the host's DHCP client must configure it (e.g. dhclient ${base})`;
  }
  return result;
}

function upStep(tool: LinkTool, name: string): Step {
  return { command: `ip link set dev ${name} up`, run: () => tool.setUp(name) };
}

function missingRawDevice(net: NetworkConfig, byName: Map<string, LinkState>, network: string): string | undefined {
  if (!net.rawDevice || byName.has(net.rawDevice)) return undefined;
  return `${network}: no network interface ${net.rawDevice} (network.${network}.raw-device); check the name with 'ip link' and fix it with 'walt-server-setup --edit-conf'`;
}

/** Create the VLAN sub-interface if needed, with its raw device up (tagged frames need it). */
function vlanSteps(net: NetworkConfig, tool: LinkTool, byName: Map<string, LinkState>): Step[] {
  const steps: Step[] = [];
  const raw = net.rawDevice;
  if (!raw || net.vlan === undefined) return steps;
  const base = baseInterface(net)!;
  const vlan = net.vlan;
  if (!byName.has(base)) steps.push({ command: `ip link add link ${raw} name ${base} type vlan id ${vlan}`, run: () => tool.addVlan(raw, base, vlan) });
  if (!byName.get(raw)?.up) steps.push(upStep(tool, raw));
  return steps;
}

/** Run the steps in order; on the first failure, say what failed and the commands left to run. */
function runSteps(result: InterfaceSetupResult, steps: Step[]): InterfaceSetupResult {
  for (let i = 0; i < steps.length; i++) {
    try {
      steps[i].run();
      result.changes.push(steps[i].command);
    } catch (e) {
      const reason = e instanceof LinkCommandError ? e.message : String((e as Error)?.message ?? e);
      const left = steps.slice(i).map((s) => s.command).join(' && ');
      result.error = `${result.network}: cannot set up ${result.interface ?? result.network} (${steps[i].command}: ${reason}); run as root: ${left}`;
      return result;
    }
  }
  return result;
}
