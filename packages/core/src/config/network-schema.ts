import { isIPv4 } from 'node:net';
import { checkKnownKeys, isMapping, isWholeNumber, shown, type Problem } from './config-problems.js';
import type { NetworkConfig, ServerConfig } from './server-config.js';

/** The embedded default: a virtual-only walt-net (no physical interface, no root needed). */
export const DEFAULT_WALT_NET: NetworkConfig = { rawDevice: null, ip: '192.168.152.1/24' };

const NETWORK_KEYS = ['raw-device', 'vlan', 'ip'] as const;
const IFACE_NAME = /^[a-zA-Z0-9_.:@-]{1,15}$/;

/** "a.b.c.d/n" with a valid IPv4 address and a prefix from 0 to 32. */
export function isIpv4Cidr(value: string): boolean {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(value);
  return !!m && isIPv4(m[1]) && Number(m[2]) <= 32;
}

function ipv4ToNumber(address: string): number {
  return address.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

/** The address is the subnet's own address or its broadcast address (so no host can use it). */
function isNetworkOrBroadcast(cidr: string): boolean {
  const [address, prefixText] = cidr.split('/');
  const prefix = Number(prefixText);
  if (prefix > 30) return false;
  const hostBits = 2 ** (32 - prefix);
  const host = ipv4ToNumber(address) % hostBits;
  return host === 0 || host === hostBits - 1;
}

/**
 * The `network:` section: `walt-net` (mandatory, managed by WalT), `walt-adm` (optional switches admin
 * network) and any other name (an unmanaged network such as walt-out).
 */
export function parseNetworkSection(value: unknown, p: Problem): ServerConfig['network'] | undefined {
  if (value === undefined) {
    p('network', 'missing (declare at least network.walt-net, e.g. "network: {walt-net: {raw-device: null, ip: 192.168.152.1/24}}")');
    return undefined;
  }
  if (!isMapping(value)) {
    p('network', 'expected a mapping with a "walt-net" entry (e.g. "network: {walt-net: {raw-device: eth1, ip: 192.168.152.1/24}}")');
    return undefined;
  }
  if (value['walt-net'] === undefined) {
    p('network.walt-net', 'missing (it is mandatory: give raw-device, or null for a virtual-only platform, and ip)');
  }
  let waltNet: NetworkConfig | undefined;
  let waltAdm: NetworkConfig | undefined;
  const unmanaged: Record<string, NetworkConfig> = {};
  let ok = true;
  for (const [name, entry] of Object.entries(value)) {
    const net = parseNetwork(name, entry, p);
    if (!net) {
      ok = false;
      continue;
    }
    if (name === 'walt-net') waltNet = net;
    else if (name === 'walt-adm') waltAdm = net;
    else unmanaged[name] = net;
  }
  if (!ok || !waltNet) return undefined;
  const all: Array<[string, NetworkConfig]> = [['walt-net', waltNet], ...(waltAdm ? [['walt-adm', waltAdm] as [string, NetworkConfig]] : []), ...Object.entries(unmanaged)];
  if (!checkInterfaceConflicts(all, p)) return undefined;
  return { waltNet, waltAdm, unmanaged };
}

function parseNetwork(name: string, value: unknown, p: Problem): NetworkConfig | undefined {
  const key = `network.${name}`;
  const isWaltNet = name === 'walt-net';
  if (!isMapping(value)) {
    p(key, `expected a mapping with raw-device and ip (e.g. "${name}: {raw-device: eth1, ip: ${isWaltNet ? '192.168.152.1/24' : 'dhcp'}}")`);
    return undefined;
  }
  let ok = true;
  const fail: Problem = (k, m) => {
    ok = false;
    p(k, m);
  };
  checkKnownKeys(key, value, NETWORK_KEYS, fail);

  // raw-device: an interface name; null (or absent) makes walt-net virtual-only.
  const raw = value['raw-device'];
  if (raw === undefined || raw === null) {
    if (!isWaltNet) fail(`${key}.raw-device`, 'missing (give the interface name, e.g. eth2; only walt-net can be virtual-only)');
  } else if (typeof raw !== 'string' || !IFACE_NAME.test(raw)) {
    fail(`${key}.raw-device`, `invalid value ${shown(raw)} (expected a network interface name of at most 15 characters, e.g. eth1${isWaltNet ? ', or null for a virtual-only platform' : ''})`);
  }

  // vlan: 802.1Q tag on raw-device, which then carries <raw-device>.<vlan>.
  const vlan = value.vlan;
  if (vlan !== undefined && vlan !== null) {
    if (!isWholeNumber(vlan, 1, 4094)) fail(`${key}.vlan`, `invalid value ${shown(vlan)} (expected a VLAN id from 1 to 4094)`);
    else if (raw === undefined || raw === null) fail(`${key}.vlan`, 'only allowed with a raw-device (remove vlan, or set raw-device)');
    else if (typeof raw === 'string' && `${raw}.${vlan}`.length > 15) {
      fail(`${key}.vlan`, `the interface name ${raw}.${vlan} would be longer than 15 characters (use a shorter raw-device name)`);
    }
  }

  // ip: the server's address and prefix; 'dhcp' on networks WalT does not manage itself.
  const ip = value.ip;
  const example = '192.168.152.1/24';
  if (ip === undefined || ip === null) {
    fail(`${key}.ip`, `missing (give the server address and prefix, e.g. ${example}${isWaltNet ? '' : ", or 'dhcp'"})`);
  } else if (typeof ip !== 'string' || !(isIpv4Cidr(ip) || (!isWaltNet && ip === 'dhcp'))) {
    const hint = isWaltNet && ip === 'dhcp'
      ? "walt-net cannot use dhcp: the server is the DHCP server of walt-net, give a static address such as " + example
      : `expected an IPv4 address with its prefix, e.g. ${example}${isWaltNet ? '' : ", or 'dhcp'"}`;
    fail(`${key}.ip`, `invalid value ${shown(ip)} (${hint})`);
  } else if (ip !== 'dhcp') {
    const prefix = Number(ip.split('/')[1]);
    if (prefix === 32) fail(`${key}.ip`, `/32 gives a single address (give the network prefix too, e.g. ${ip.split('/')[0]}/24)`);
    else if (isWaltNet && prefix > 30) fail(`${key}.ip`, `prefix /${prefix} leaves no room for nodes (use /24, or any prefix up to /30)`);
    else if (isWaltNet && prefix < 8) fail(`${key}.ip`, `prefix /${prefix} is too large for a platform network (use /24, or any prefix from /8 to /30)`);
    else if (isNetworkOrBroadcast(ip)) fail(`${key}.ip`, `${ip.split('/')[0]} is the network or broadcast address of /${prefix} (use a host address, e.g. the .1 of the subnet)`);
  }
  if (!ok) return undefined;
  return {
    rawDevice: (raw as string | null | undefined) ?? null,
    ip: ip as string,
    ...(vlan !== undefined && vlan !== null ? { vlan: vlan as number } : {}),
  };
}

/** Two networks cannot share an interface, unless they use different VLANs on it (as the original's netconf checks). */
function checkInterfaceConflicts(networks: Array<[string, NetworkConfig]>, p: Problem): boolean {
  const users = new Map<string, string>();
  const plain = new Map<string, string>();
  const tagged = new Map<string, string>();
  let ok = true;
  for (const [name, net] of networks) {
    if (!net.rawDevice) continue;
    const iface = net.vlan === undefined ? net.rawDevice : `${net.rawDevice}.${net.vlan}`;
    const other = users.get(iface);
    if (other) {
      p(`network.${name}.raw-device`, `${iface} is already used by ${other} (networks need different interfaces, or different vlan ids on one interface)`);
      ok = false;
      continue;
    }
    users.set(iface, name);
    const mixed = net.vlan === undefined ? tagged.get(net.rawDevice) : plain.get(net.rawDevice);
    if (mixed) {
      p(`network.${name}.vlan`, `${net.rawDevice} is used by ${mixed} ${net.vlan === undefined ? 'with' : 'without'} a vlan (on one interface, give every network its own vlan id)`);
      ok = false;
    }
    (net.vlan === undefined ? plain : tagged).set(net.rawDevice, name);
  }
  return ok;
}
