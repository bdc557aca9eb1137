import { isIPv4 } from 'node:net';
import type { NetworkConfig, PluginEntry, RegistryConfig, ServerConfig } from './server-config.js';

/**
 * Turns the raw YAML/JSON object into a ServerConfig, collecting every problem as
 * "<key>: <what is wrong> (<how to fix>)" so the user fixes them all in one edit.
 */
export function parseServerConfig(
  raw: unknown,
  defaults: { dataDir: string; source: string },
): { config?: ServerConfig; problems: string[] } {
  const problems: string[] = [];
  const p = (key: string, msg: string) => problems.push(`${key}: ${msg}`);
  const root = raw ?? {};
  if (!isMapping(root)) return { problems: ['(top level): expected a mapping of keys (e.g. "network:")'] };

  const known = ['network', 'registries', 'services', 'vpn', 'data-dir', 'api', 'plugins', 'images', 'plugin-timeout'];
  for (const k of Object.keys(root)) if (!known.includes(k)) p(k, `unknown key (known keys: ${known.join(', ')})`);

  const network = root.network ?? { 'walt-net': { 'raw-device': null, ip: '192.168.152.1/24' } };
  let waltNet: NetworkConfig | undefined;
  let waltAdm: NetworkConfig | undefined;
  const unmanaged: Record<string, NetworkConfig> = {};
  if (!isMapping(network)) p('network', 'expected a mapping with a "walt-net" entry');
  else {
    if (network['walt-net'] === undefined) p('network.walt-net', 'missing (it is mandatory: set raw-device and ip)');
    for (const [name, value] of Object.entries(network)) {
      const net = parseNetwork(`network.${name}`, value, name === 'walt-net', p);
      if (!net) continue;
      if (name === 'walt-net') waltNet = net;
      else if (name === 'walt-adm') waltAdm = net;
      else unmanaged[name] = net;
    }
  }

  const dataDir = root['data-dir'] ?? defaults.dataDir;
  if (typeof dataDir !== 'string' || !dataDir.startsWith('/')) p('data-dir', 'must be an absolute path (e.g. /var/lib/walt)');

  const api = parseApi(root.api, p);
  const registries = parseRegistries(root.registries, p);
  const plugins = parsePlugins(root.plugins, p);

  let engineSocket: string | null = null;
  let imageDirectory: string | null = null;
  if (root.images !== undefined) {
    if (!isMapping(root.images)) p('images', 'expected a mapping (e.g. "images: {engine-socket: /run/podman/podman.sock}")');
    else {
      for (const k of Object.keys(root.images)) {
        if (!['engine-socket', 'directory'].includes(k)) p(`images.${k}`, 'unknown key (known: engine-socket, directory)');
      }
      const s = root.images['engine-socket'];
      if (s !== undefined && s !== null && (typeof s !== 'string' || !s.startsWith('/'))) {
        p('images.engine-socket', 'must be an absolute path to a Docker or Podman socket, or null');
      } else engineSocket = (s as string | null | undefined) ?? null;
      const d = root.images.directory;
      if (d !== undefined && d !== null && (typeof d !== 'string' || !d.startsWith('/'))) {
        p('images.directory', 'must be an absolute path to a folder of unpacked images, or null');
      } else imageDirectory = (d as string | null | undefined) ?? null;
    }
  }

  const timeout = root['plugin-timeout'] ?? 10000;
  if (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout < 100) {
    p('plugin-timeout', 'must be a whole number of milliseconds, at least 100');
  }

  for (const k of ['services', 'vpn']) {
    if (root[k] !== undefined && !isMapping(root[k])) p(k, 'expected a mapping');
  }

  if (problems.length || !waltNet) return { problems };
  return {
    problems,
    config: {
      source: defaults.source,
      network: { waltNet, waltAdm, unmanaged },
      dataDir: dataDir as string,
      api,
      registries,
      plugins,
      images: { engineSocket, directory: imageDirectory },
      pluginTimeoutMs: timeout as number,
      services: (root.services as Record<string, unknown>) ?? {},
      vpn: (root.vpn as Record<string, unknown>) ?? { enabled: false },
    },
  };
}

type Problem = (key: string, msg: string) => void;

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** "a.b.c.d/n" with a valid IPv4 address and prefix 0..32. */
export function isIpv4Cidr(value: string): boolean {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(value);
  return !!m && isIPv4(m[1]) && Number(m[2]) <= 32;
}

function parseNetwork(key: string, value: unknown, isWaltNet: boolean, p: Problem): NetworkConfig | undefined {
  if (!isMapping(value)) {
    p(key, 'expected a mapping with raw-device and ip');
    return undefined;
  }
  const known = ['raw-device', 'ip', 'vlan'];
  for (const k of Object.keys(value)) if (!known.includes(k)) p(`${key}.${k}`, `unknown key (known: ${known.join(', ')})`);
  const raw = value['raw-device'];
  let ok = true;
  if (raw !== null && raw !== undefined && (typeof raw !== 'string' || !/^[a-zA-Z0-9_.:@-]{1,15}$/.test(raw))) {
    p(`${key}.raw-device`, 'must be a network interface name (e.g. eth1), or null for a virtual-only network');
    ok = false;
  }
  if (raw === undefined && !isWaltNet) {
    p(`${key}.raw-device`, 'missing (give the interface name, e.g. eth2)');
    ok = false;
  }
  const ip = value.ip;
  if (ip === undefined) {
    p(`${key}.ip`, 'missing (give the server address and prefix, e.g. 192.168.152.1/24)');
    ok = false;
  } else if (typeof ip !== 'string' || !(isIpv4Cidr(ip) || (!isWaltNet && ip === 'dhcp'))) {
    p(`${key}.ip`, `invalid value ${JSON.stringify(ip)} (expected an address with prefix, e.g. 192.168.152.1/24${isWaltNet ? '' : ", or 'dhcp'"})`);
    ok = false;
  } else if (isWaltNet) {
    const prefix = Number(ip.split('/')[1]);
    if (prefix > 30) {
      p(`${key}.ip`, `prefix /${prefix} leaves no room for nodes (use /24 or another prefix of at most /30)`);
      ok = false;
    }
  }
  const vlan = value.vlan;
  if (vlan !== undefined) {
    if (typeof vlan !== 'number' || !Number.isInteger(vlan) || vlan < 1 || vlan > 4094) {
      p(`${key}.vlan`, 'must be a VLAN id from 1 to 4094');
      ok = false;
    } else if (raw === null || raw === undefined) {
      p(`${key}.vlan`, 'only allowed with a raw-device (remove vlan, or set raw-device)');
      ok = false;
    }
  }
  if (!ok) return undefined;
  return { rawDevice: (raw as string | null | undefined) ?? null, ip: ip as string, ...(vlan !== undefined ? { vlan: vlan as number } : {}) };
}

function parseApi(value: unknown, p: Problem): { host: string; port: number } {
  const api = { host: '127.0.0.1', port: 12345 };
  if (value === undefined) return api;
  if (!isMapping(value)) {
    p('api', 'expected a mapping (e.g. "api: {host: 127.0.0.1, port: 12345}")');
    return api;
  }
  for (const k of Object.keys(value)) if (!['host', 'port'].includes(k)) p(`api.${k}`, 'unknown key (known: host, port)');
  if (value.host !== undefined) {
    if (typeof value.host !== 'string' || !(isIPv4(value.host) || value.host === 'localhost')) {
      p('api.host', 'must be an IPv4 address (e.g. 127.0.0.1)');
    } else api.host = value.host;
  }
  if (value.port !== undefined) {
    if (typeof value.port !== 'number' || !Number.isInteger(value.port) || value.port < 0 || value.port > 65535) {
      p('api.port', 'must be a TCP port number from 0 to 65535 (0 picks a free one)');
    } else api.port = value.port;
  }
  return api;
}

const REGISTRY_APIS = ['docker-hub', 'docker-registry-v2', 'jfrog-artifactory'];

function parseRegistries(value: unknown, p: Problem): RegistryConfig[] {
  if (value === undefined) return [{ label: 'hub', api: 'docker-hub', description: 'Public registry at hub.docker.com' }];
  if (!Array.isArray(value)) {
    p('registries', 'expected a list of registries (e.g. "- {label: hub, api: docker-hub}")');
    return [];
  }
  const out: RegistryConfig[] = [];
  const labels = new Set<string>();
  value.forEach((r, i) => {
    const key = `registries[${i}]`;
    if (!isMapping(r)) return p(key, 'expected a mapping with label and api');
    if (typeof r.label !== 'string' || !/^[a-z][a-z0-9-]*$/.test(r.label)) return p(`${key}.label`, 'must be a lowercase name (e.g. hub)');
    if (labels.has(r.label)) return p(`${key}.label`, `duplicate label '${r.label}' (labels must be unique)`);
    labels.add(r.label);
    if (typeof r.api !== 'string' || !REGISTRY_APIS.includes(r.api)) {
      return p(`${key}.api`, `must be one of ${REGISTRY_APIS.join(', ')}`);
    }
    if (r.api !== 'docker-hub' && typeof r.host !== 'string') return p(`${key}.host`, `missing (the registry host name, needed by api ${r.api})`);
    if (r.port !== undefined && (typeof r.port !== 'number' || !Number.isInteger(r.port) || r.port < 1 || r.port > 65535)) {
      return p(`${key}.port`, 'must be a TCP port number');
    }
    if (r.protocol !== undefined && !['https', 'http', 'https-no-verify'].includes(r.protocol as string)) {
      return p(`${key}.protocol`, 'must be https, http or https-no-verify');
    }
    if (r.auth !== undefined && !['basic', 'none'].includes(r.auth as string)) return p(`${key}.auth`, 'must be basic or none');
    out.push(r as unknown as RegistryConfig);
  });
  return out;
}

function parsePlugins(value: unknown, p: Problem): PluginEntry[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    p('plugins', 'expected a list of plugin package names or {name, settings} entries');
    return [];
  }
  const out: PluginEntry[] = [];
  value.forEach((e, i) => {
    const key = `plugins[${i}]`;
    if (typeof e === 'string' && e) return void out.push({ name: e, settings: {}, enabled: true });
    if (!isMapping(e) || typeof e.name !== 'string' || !e.name) return p(key, 'expected a package name or {name: ..., settings: {...}}');
    if (e.settings !== undefined && !isMapping(e.settings)) return p(`${key}.settings`, 'expected a mapping of setting: value');
    if (e.enabled !== undefined && typeof e.enabled !== 'boolean') return p(`${key}.enabled`, 'must be true or false');
    out.push({ name: e.name, settings: (e.settings as Record<string, unknown>) ?? {}, enabled: (e.enabled as boolean) ?? true });
  });
  return out;
}
