import { isIPv4 } from 'node:net';
import { WALT_NODE_CLASS_PREFIX, modelFromClasses, NODE_MODEL_ID } from '@walt/sdk';
import { conflict, forbidden, invalid } from '../errors.js';
import { normalizeMac, type Device } from '../devices/device.js';
import type { DeviceRegistry } from '../devices/device-registry.js';
import type { DeviceSets } from '../devices/device-set.js';
import type { DeviceConfigService } from '../devices/device-config.js';
import { checkOwnership, requireUser } from '../nodes/node-ownership.js';
import { isLoopback } from '../logs/peer-address.js';
import type { SwitchesRepository } from '../store/switches-repository.js';
import type { Router } from './router.js';

/** A device as listings show it: the stored device plus its display type and netsetup. */
export interface DeviceView extends Device {
  /** server, switch, node (virtual), node (physical), unknown */
  typeLabel: string;
  /** LAN or NAT for devices inside walt-net (server excepted), else null. */
  netsetup: 'LAN' | 'NAT' | null;
  /** Switches in listings: the driver the server chose by probing (null until a rescan probed it). */
  driver?: { id: string; score: number; probedAt: number } | null;
}

export function deviceView(d: Device, registry: DeviceRegistry): DeviceView {
  const typeLabel = d.type === 'node' ? (d.virtual ? 'node (virtual)' : 'node (physical)') : d.type;
  const managed = d.type !== 'server' && registry.inWaltNet(d.ip);
  const netsetup = managed ? (d.conf.netsetup === 'NAT' || d.conf.netsetup === 1 ? 'NAT' : 'LAN') : null;
  return { ...d, typeLabel, netsetup };
}

/**
 * Device registry endpoints: listing, registration, device sets, rename, forget, settings.
 * Every handler checks its input and answers a one-line error; nothing is written on a refusal.
 */
export function registerDeviceRoutes(
  router: Router,
  {
    registry,
    sets,
    config,
    switches,
    audit = () => undefined,
  }: { registry: DeviceRegistry; sets: DeviceSets; config: DeviceConfigService; switches: SwitchesRepository; audit?: (line: string) => void },
): void {
  const withDriver = (view: DeviceView): DeviceView => {
    if (view.type !== 'switch') return view;
    const choice = switches.driverChoice(view.mac);
    return { ...view, driver: choice ? { id: choice.driver, score: choice.score, probedAt: choice.probedAt } : null };
  };

  /** A node of another user is renamed or forgotten only with the explicit confirmation (recorded). */
  const confirmIfOthersNode = (name: string, user: string | null, body: Record<string, unknown>, action: string) => {
    const device = registry.byName(name);
    if (device?.type === 'node') checkOwnership([device], requireUser(user), 'owned-or-free', optionalBoolean(body, 'confirmed'), { action, log: audit });
  };

  router.get('/api/v1/devices', (req) => {
    const set = req.query.get('set');
    const devices = set ? sets.resolve(set, req.user) : registry.all();
    return { devices: devices.map((d) => withDriver(deviceView(d, registry))) };
  });

  /** The registration entry point (what the DHCP service calls on a lease), for tests and tools. */
  router.post('/api/v1/devices/register', (req) => {
    // Devices register through DHCP; this entry point is for the server's own tools and tests.
    if (!isLoopback(req.raw.socket.remoteAddress ?? '')) throw forbidden('devices register through DHCP: this entry point only answers the server itself (loopback)');
    const body = bodyObject(req.body);
    let mac: string;
    try {
      mac = normalizeMac(requiredString(body, 'mac'));
    } catch (e) {
      throw invalid(`${(e as Error).message} (expected aa:bb:cc:dd:ee:ff)`);
    }
    const ip = optionalString(body, 'ip') ?? null;
    if (ip !== null && !isIPv4(ip)) throw invalid(`invalid IPv4 address '${ip}'`);
    const vendorClass = optionalString(body, 'vendorClass');
    const userClass = optionalString(body, 'userClass');
    const hostName = optionalString(body, 'hostName');
    const model = modelFromClasses({ vendorClass, userClass });
    if (model !== undefined && !NODE_MODEL_ID.test(model)) {
      throw invalid(`invalid node model '${model}' in class ${WALT_NODE_CLASS_PREFIX}${model} (lowercase letters, digits and '-')`);
    }
    if (registry.byMac(mac)?.type === 'server') throw invalid(`${mac} is the MAC address of the WalT server`);
    const holder = ip === null ? undefined : registry.byIp(ip);
    if (holder && holder.mac !== mac) throw conflict(`address ${ip} is already used by ${holder.name} (${holder.mac})`);
    const result = registry.register({ mac, ip, model, hostName });
    return { ...result, device: deviceView(result.device, registry) };
  });

  /** Resolve a device set for any command (rescan, reboot, log --issuers...). */
  router.get('/api/v1/device-sets/resolve', (req) => {
    const devices = sets.resolve(requiredQuery(req.query, 'set'), req.user, {
      nodesOnly: queryFlag(req.query, 'nodes'),
      allowed: req.query.get('allowed') ?? undefined,
      allowEmpty: queryFlag(req.query, 'allowEmpty'),
    });
    return { devices: devices.map((d) => deviceView(d, registry)) };
  });

  router.post('/api/v1/devices/:name/rename', (req) => {
    const body = bodyObject(req.body);
    const newName = requiredString(body, 'newName');
    confirmIfOthersNode(req.params.name, req.user, body, 'device rename');
    const device = registry.rename(req.params.name, newName);
    return { device: deviceView(device, registry) };
  });

  router.post('/api/v1/devices/:name/forget', (req) => {
    const body = bodyObject(req.body);
    confirmIfOthersNode(req.params.name, req.user, body, 'device forget');
    const { device, deletedLines } = registry.forget(req.params.name, optionalBoolean(body, 'force'));
    return { device: device.name, deletedLines };
  });

  router.get('/api/v1/device-config', (req) => {
    const devices = sets.resolve(requiredQuery(req.query, 'set'), req.user, { nodesOnly: queryFlag(req.query, 'nodes') });
    return { groups: config.show(devices) };
  });

  router.post('/api/v1/device-config', async (req) => {
    const body = bodyObject(req.body);
    const devices = sets.resolve(requiredString(body, 'set'), req.user, { nodesOnly: optionalBoolean(body, 'nodes') });
    const settings = settingsField(body.settings);
    // Soft ownership: settings of other users' nodes need a confirmation.
    checkOwnership(devices.filter((d) => d.type === 'node'), requireUser(req.user), 'owned-or-free', optionalBoolean(body, 'confirmed'), { action: 'device config', log: audit });
    return config.apply(devices, settings);
  });
}

/** `settings`: a list of "name=value" strings or of [name, value] pairs. */
function settingsField(value: unknown): Array<[string, string]> {
  if (!Array.isArray(value)) throw invalid("missing field 'settings' (a list of \"name=value\" strings)");
  return value.map((item) => {
    if (typeof item === 'string') {
      const at = item.indexOf('=');
      if (at <= 0) throw invalid('Please provide settings as `<setting name>=<setting value>` arguments.');
      return [item.slice(0, at), item.slice(at + 1)];
    }
    if (Array.isArray(item) && item.length === 2 && typeof item[0] === 'string' && typeof item[1] === 'string') return [item[0], item[1]];
    throw invalid('Please provide settings as `<setting name>=<setting value>` arguments.');
  });
}

/** Small checks of JSON request bodies, with one-line errors naming the field. */
export function bodyObject(body: unknown): Record<string, unknown> {
  if (body === undefined) return {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('the request body must be a JSON object');
  return body as Record<string, unknown>;
}

export function requiredString(body: Record<string, unknown>, field: string): string {
  const v = body[field];
  if (typeof v !== 'string' || !v) throw invalid(`missing or invalid field '${field}' (a non-empty string)`);
  return v;
}

export function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw invalid(`field '${field}' must be a string`);
  return v;
}

export function optionalBoolean(body: Record<string, unknown>, field: string): boolean {
  const v = body[field];
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw invalid(`field '${field}' must be true or false`);
  return v;
}

export function requiredQuery(query: URLSearchParams, name: string): string {
  const v = query.get(name);
  if (!v) throw invalid(`missing query parameter '${name}'`);
  return v;
}

export function queryFlag(query: URLSearchParams, name: string): boolean {
  const v = query.get(name);
  return v === '1' || v === 'true';
}
