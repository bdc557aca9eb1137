import type { DeviceType } from './device.js';

/** The rule for user-given names (rename, create): a valid network host name. */
export const DEVICE_NAME = /^[a-zA-Z][a-zA-Z0-9-]*$/;

export const INVALID_NAME_MESSAGE =
  "invalid new name: it must be a valid network hostname: only alphanumeric characters and '-', " +
  'the 1st character an alphabet letter, at least 2 characters long (example: rpi-D327).';

export function isValidDeviceName(name: string): boolean {
  return name.length >= 2 && DEVICE_NAME.test(name);
}

/** Last 3 bytes of the MAC as 6 lowercase hex digits: b8:27:eb:f2:67:82 -> f26782. */
export function macSuffix(mac: string): string {
  return mac.split(':').slice(3).join('').toLowerCase();
}

/** `<type>-<6 hex>` (walt-server for the server). */
export function generatedName(type: DeviceType, mac: string): string {
  return type === 'server' ? 'walt-server' : `${type}-${macSuffix(mac)}`;
}

/**
 * The name a DHCP host name gives: `<host>-<6 hex>` lowercased (suffix not repeated), first label only,
 * other characters turned into '-'. Undefined when the result is not a valid name.
 */
export function nameFromHostName(hostName: string, mac: string): string | undefined {
  const suffix = macSuffix(mac);
  let name = hostName.split('.')[0].replace(/[^a-zA-Z0-9-]+/g, '-');
  if (!name) return undefined;
  if (!name.toLowerCase().endsWith(suffix)) name = `${name}-${suffix}`;
  name = name.toLowerCase();
  return isValidDeviceName(name) ? name : undefined;
}

/** The first of base, base-2, base-3... that `taken` says is free. */
export function uniqueName(base: string, taken: (name: string) => boolean): string {
  if (!taken(base)) return base;
  for (let i = 2; ; i++) if (!taken(`${base}-${i}`)) return `${base}-${i}`;
}
