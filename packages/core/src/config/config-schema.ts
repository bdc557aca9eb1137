import { isIP } from 'node:net';
import { isAbsolute } from 'node:path';
import { checkKnownKeys, isMapping, isWholeNumber, shown, type Problem } from './config-problems.js';
import { DEFAULT_WALT_NET, parseNetworkSection } from './network-schema.js';
import { parseRegistries } from './registries-schema.js';
import { parseServices } from './services-schema.js';
import type { PluginEntry, ServerConfig } from './server-config.js';
import { parseVpn } from './vpn-schema.js';

export { isIpv4Cidr } from './network-schema.js';

/** Every top-level key the server accepts: the original's four, then this server's own. */
export const CONFIG_KEYS = ['network', 'registries', 'services', 'vpn', 'data-dir', 'api', 'plugins', 'images', 'plugin-timeout', 'plugin-call-timeout', 'logs'] as const;

export const DEFAULT_API = { host: '127.0.0.1', port: 12345 } as const;
export const DEFAULT_PLUGIN_TIMEOUT_MS = 10_000;
/** Limit of one call into a third-party plugin's process (a driver request, a hook). */
export const DEFAULT_PLUGIN_CALL_TIMEOUT_MS = 30_000;

/**
 * Turns the raw YAML/JSON object of a config file into a ServerConfig, collecting every problem as
 * "<key>: <what is wrong> (<how to fix>)" so the user fixes them all in one edit.
 * `raw === undefined` means "no file": the embedded defaults (a virtual-only walt-net).
 */
export function parseServerConfig(
  raw: unknown,
  defaults: { dataDir: string; source: string },
): { config?: ServerConfig; problems: string[] } {
  const problems: string[] = [];
  const p: Problem = (key, msg) => problems.push(`${key}: ${msg}`);
  const root = raw === undefined ? { network: { 'walt-net': { 'raw-device': DEFAULT_WALT_NET.rawDevice, ip: DEFAULT_WALT_NET.ip } } } : raw;
  if (!isMapping(root)) {
    return { problems: [`(top level): expected a mapping of keys, got ${root === null ? 'an empty file' : shown(root)} (start with "network:")`] };
  }
  checkKnownKeys('', root, CONFIG_KEYS, p);

  const network = parseNetworkSection(root.network, p);

  const dataDir = root['data-dir'] ?? defaults.dataDir;
  if (typeof dataDir !== 'string' || !isAbsolute(dataDir)) p('data-dir', `invalid value ${shown(dataDir)} (expected an absolute path, e.g. /var/lib/walt)`);

  const api = parseApi(root.api, p);
  const registries = parseRegistries(root.registries, p);
  const services = parseServices(root.services, p);
  const vpn = parseVpn(root.vpn, p);
  const plugins = parsePlugins(root.plugins, p);
  const images = parseImages(root.images, p);

  const timeout = root['plugin-timeout'] ?? DEFAULT_PLUGIN_TIMEOUT_MS;
  if (!isWholeNumber(timeout, 100, 3_600_000)) p('plugin-timeout', `invalid value ${shown(timeout)} (expected a whole number of milliseconds, from 100 to 3600000)`);

  const logs = parseLogs(root.logs, p);
  const callTimeout = root['plugin-call-timeout'] ?? DEFAULT_PLUGIN_CALL_TIMEOUT_MS;
  if (!isWholeNumber(callTimeout, 100, 3_600_000)) p('plugin-call-timeout', `invalid value ${shown(callTimeout)} (expected a whole number of milliseconds, from 100 to 3600000)`);

  if (problems.length || !network) return { problems };
  return {
    problems,
    config: {
      source: defaults.source,
      network,
      dataDir: dataDir as string,
      api,
      registries,
      plugins,
      images,
      pluginTimeoutMs: timeout as number,
      pluginCallTimeoutMs: callTimeout as number,
      logs,
      services,
      vpn,
    },
  };
}

function parseApi(value: unknown, p: Problem): ServerConfig['api'] {
  const api: ServerConfig['api'] = { ...DEFAULT_API };
  if (value === undefined || value === null) return api;
  if (!isMapping(value)) {
    p('api', 'expected a mapping (e.g. "api: {host: 127.0.0.1, port: 12345}")');
    return api;
  }
  checkKnownKeys('api', value, ['host', 'port', 'tcp-port', 'listen'], p);
  if (value.listen !== undefined && value.listen !== null) {
    const names = value.listen;
    if (!Array.isArray(names) || names.some((n) => typeof n !== 'string' || !(isIP(n) || /^[a-z][a-z0-9-]{0,30}$/.test(n)))) {
      p('api.listen', `invalid value ${shown(names)} (expected a list of networks of this config or IP addresses the API also listens on, e.g. [walt-out])`);
    } else api.listen = names as string[];
  }
  if (value.host !== undefined) {
    if (typeof value.host !== 'string' || !(isIP(value.host) || value.host === 'localhost')) {
      p('api.host', `invalid value ${shown(value.host)} (expected an IP address to listen on, e.g. 127.0.0.1, or 0.0.0.0 for all)`);
    } else api.host = value.host;
  }
  if (value.port !== undefined) {
    if (!isWholeNumber(value.port, 0, 65535)) p('api.port', `invalid value ${shown(value.port)} (expected a TCP port from 0 to 65535; 0 picks a free one)`);
    else api.port = value.port;
  }
  if (value['tcp-port'] !== undefined) {
    if (!isWholeNumber(value['tcp-port'], 0, 65535)) p('api.tcp-port', `invalid value ${shown(value['tcp-port'])} (expected a TCP port from 0 to 65535 for node logs; default 12347)`);
    else api.tcpPort = value['tcp-port'];
  }
  return api;
}

/** Stored log lines one node may keep, MiB (older lines are dropped beyond it). */
export const DEFAULT_NODE_LOG_QUOTA_MIB = 512;

function parseLogs(value: unknown, p: Problem): ServerConfig['logs'] {
  const logs: ServerConfig['logs'] = { nodeQuotaMiB: DEFAULT_NODE_LOG_QUOTA_MIB };
  if (value === undefined || value === null) return logs;
  if (!isMapping(value)) {
    p('logs', 'expected a mapping (e.g. "logs: {node-quota-mib: 512}")');
    return logs;
  }
  checkKnownKeys('logs', value, ['node-quota-mib'], p);
  const quota = value['node-quota-mib'];
  if (quota !== undefined) {
    if (!isWholeNumber(quota, 1, 1_048_576)) p('logs.node-quota-mib', `invalid value ${shown(quota)} (expected a whole number of MiB, from 1 to 1048576)`);
    else logs.nodeQuotaMiB = quota as number;
  }
  return logs;
}

function parseImages(value: unknown, p: Problem): ServerConfig['images'] {
  const images: ServerConfig['images'] = { engineSocket: null, directory: null };
  if (value === undefined || value === null) return images;
  if (!isMapping(value)) {
    p('images', 'expected a mapping (e.g. "images: {engine-socket: /run/podman/podman.sock}")');
    return images;
  }
  checkKnownKeys('images', value, ['engine-socket', 'directory', 'view-grace', 'max-archive-size'], p);
  const cap = value['max-archive-size'];
  if (cap !== undefined && cap !== null) {
    if (typeof cap !== 'number' || !Number.isInteger(cap) || cap <= 0) p('images.max-archive-size', `invalid value ${shown(cap)} (expected the largest archive 'walt image cp' may send into an image, in MiB, e.g. 4096)`);
    else images.maxArchiveMiB = cap;
  }
  const grace = value['view-grace'];
  if (grace !== undefined && grace !== null) {
    if (typeof grace !== 'number' || !Number.isFinite(grace) || grace < 0) p('images.view-grace', `invalid value ${shown(grace)} (expected seconds an unused image view stays mounted, e.g. 60)`);
    else images.viewGraceSeconds = grace;
  }
  const socket = value['engine-socket'];
  if (socket !== undefined && socket !== null) {
    if (typeof socket !== 'string' || !isAbsolute(socket)) p('images.engine-socket', `invalid value ${shown(socket)} (expected the absolute path of a Docker or Podman socket, or null)`);
    else images.engineSocket = socket;
  }
  const dir = value.directory;
  if (dir !== undefined && dir !== null) {
    if (typeof dir !== 'string' || !isAbsolute(dir)) p('images.directory', `invalid value ${shown(dir)} (expected the absolute path of a folder of unpacked images, or null)`);
    else images.directory = dir;
  }
  return images;
}

function parsePlugins(value: unknown, p: Problem): PluginEntry[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    p('plugins', 'expected a list of plugin package names or {name, settings, enabled} entries');
    return [];
  }
  const out: PluginEntry[] = [];
  value.forEach((e, i) => {
    const key = `plugins[${i}]`;
    const duplicate = (name: string) => out.some((o) => o.name === name) && (p(key, `'${name}' is listed twice (keep one entry)`), true);
    if (typeof e === 'string') {
      if (!e.trim()) return p(key, 'empty package name');
      if (duplicate(e)) return;
      return void out.push({ name: e, settings: {}, enabled: true, inProcess: false });
    }
    if (!isMapping(e)) return p(key, `invalid value ${shown(e)} (expected a package name or {name: ..., settings: {...}})`);
    checkKnownKeys(key, e, ['name', 'settings', 'enabled', 'in-process'], p);
    if (typeof e.name !== 'string' || !e.name.trim()) return p(`${key}.name`, 'missing (the plugin package name, or the path of its folder)');
    if (e.settings !== undefined && e.settings !== null && !isMapping(e.settings)) return p(`${key}.settings`, 'expected a mapping of setting: value');
    if (e.enabled !== undefined && typeof e.enabled !== 'boolean') return p(`${key}.enabled`, `invalid value ${shown(e.enabled)} (expected true or false)`);
    if (e['in-process'] !== undefined && typeof e['in-process'] !== 'boolean') return p(`${key}.in-process`, `invalid value ${shown(e['in-process'])} (expected true or false)`);
    if (duplicate(e.name)) return;
    out.push({
      name: e.name,
      settings: (e.settings as Record<string, unknown> | undefined) ?? {},
      enabled: (e.enabled as boolean | undefined) ?? true,
      inProcess: (e['in-process'] as boolean | undefined) ?? false,
    });
  });
  return out;
}
