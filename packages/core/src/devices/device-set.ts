import { WaltError, invalid, notFound } from '../errors.js';
import type { Device } from './device.js';
import type { DeviceRegistry } from './device-registry.js';
import { listNames } from './format-sentence.js';
import { isDeviceSetKeyword, type DeviceSetKeyword } from './device-set-keywords.js';

export { DEVICE_SET_KEYWORDS, isDeviceSetKeyword, type DeviceSetKeyword } from './device-set-keywords.js';

/** What resolving needs: the devices, who asks (for my-nodes), and each model's default image (free-nodes). */
export interface DeviceSetContext {
  devices: readonly Device[];
  user: string | null;
  defaultImageOf(model: string): string;
}

export interface DeviceSetOptions {
  /** Every device must be a node (node commands): "<name> is not a node, it is a <type>." */
  nodesOnly?: boolean;
  /** The result must lie inside this other set (log issuers: "server,all-nodes"). */
  allowed?: string;
  /** Return an empty list instead of the "No matching devices found!" error. */
  allowEmpty?: boolean;
}

export const NO_MATCH_MESSAGE = 'No matching devices found! (tip: walt help show node-ownership)';

/** The owner of an image full name "<user>/<name>:<tag>". */
export function imageOwner(image: string | null): string | null {
  return image ? image.split('/')[0] : null;
}

function keywordMembers(keyword: DeviceSetKeyword, ctx: DeviceSetContext): Device[] {
  const nodes = () => ctx.devices.filter((d) => d.type === 'node');
  switch (keyword) {
    case 'my-nodes':
      if (!ctx.user) throw invalid("'my-nodes' needs to know who you are: the request carried no user name (X-Walt-User)");
      return nodes().filter((d) => imageOwner(d.image) === ctx.user);
    case 'free-nodes':
      // Stricter than "free" in `walt node show`: the exact default image of the model.
      return nodes().filter((d) => d.model !== null && d.image === ctx.defaultImageOf(d.model));
    case 'all-nodes':
      return nodes();
    case 'all-switches':
      return ctx.devices.filter((d) => d.type === 'switch');
    case 'all-devices':
      return [...ctx.devices];
    case 'explorable-switches':
      return ctx.devices.filter((d) => d.type === 'switch' && d.conf['lldp.explore'] === true);
    case 'server':
      return ctx.devices.filter((d) => d.type === 'server');
  }
}

/** The items of a set expression; an empty item (",," or a trailing comma) is an error. */
export function parseDeviceSet(spec: string): string[] {
  const items = spec.split(',').map((s) => s.trim());
  if (!spec.trim() || items.some((s) => !s)) {
    throw invalid(`invalid device set '${spec}': give device names or keywords separated by commas (see 'walt help show device-sets')`);
  }
  return items;
}

/** Resolve a set expression to devices sorted by name, or throw a one-line error naming what is wrong. */
export function resolveDeviceSet(spec: string, ctx: DeviceSetContext, options: DeviceSetOptions = {}): Device[] {
  const items = parseDeviceSet(spec);
  const byName = new Map(ctx.devices.map((d) => [d.name, d]));
  const found = new Map<string, Device>();
  const unknown: string[] = [];
  for (const item of items) {
    if (isDeviceSetKeyword(item)) {
      for (const d of keywordMembers(item, ctx)) found.set(d.mac, d);
    } else {
      const d = byName.get(item);
      if (d) found.set(d.mac, d);
      else if (!unknown.includes(item)) unknown.push(item);
    }
  }
  if (unknown.length === 1) throw notFound(`No device with name '${unknown[0]}' found.`);
  if (unknown.length > 1) throw notFound(`No devices with names ${listNames(unknown.map((n) => `'${n}'`))} found.`);
  const result = [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
  if (options.allowed !== undefined) {
    const allowed = new Set(resolveDeviceSet(options.allowed, ctx, { allowEmpty: true }).map((d) => d.mac));
    if (result.some((d) => !allowed.has(d.mac))) {
      throw invalid(`Invalid value '${spec}'; allowed devices belong to '${options.allowed}'`);
    }
  }
  if (options.nodesOnly) {
    const others = result.filter((d) => d.type !== 'node');
    if (others.length) throw new WaltError('not-a-node', others.map((d) => `${d.name} is not a node, it is ${typeWithArticle(d.type)}.`).join(' '), 400);
  }
  if (!result.length && !options.allowEmpty) throw new WaltError('no-match', NO_MATCH_MESSAGE, 404);
  return result;
}

/** Device sets over the live registry, as routes and other services resolve them. */
export class DeviceSets {
  constructor(private readonly registry: DeviceRegistry) {}

  resolve(spec: string, user: string | null, options: DeviceSetOptions = {}): Device[] {
    return resolveDeviceSet(spec, this.context(user), options);
  }

  context(user: string | null): DeviceSetContext {
    return { devices: this.registry.all(), user, defaultImageOf: (m) => this.registry.defaultImageOf(m) };
  }
}

/** "a switch", "an unknown device", "the server" (for "X is not a node, it is ..."). */
export function typeWithArticle(type: string): string {
  if (type === 'unknown') return 'an unknown device';
  if (type === 'server') return 'the server';
  return `a ${type}`;
}
