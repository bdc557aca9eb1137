import { conflict, invalid } from '../errors.js';
import type { DeviceType } from './device.js';

/** The rule for user-given names (rename, create): a valid network host name. */
export const DEVICE_NAME = /^[a-zA-Z][a-zA-Z0-9-]*$/;

/** The original's five-line message, on one line. */
export const INVALID_NAME_MESSAGE =
  "invalid new name: this name must be a valid network hostname (only alphanumeric characters and '-' are allowed, " +
  'the 1st character must be an alphabet letter, the name must be 2 to 63 characters long; example: rpi-D327).';

export const nameTakenMessage = (name: string) => `a device with name '${name}' already exists.`;

/** A DNS label's limit: longer names broke listings and could no longer be renamed or forgotten. */
export const MAX_NAME_LENGTH = 63;

export function isValidDeviceName(name: string): boolean {
  return name.length >= 2 && name.length <= MAX_NAME_LENGTH && DEVICE_NAME.test(name);
}

/** Throw the user-facing error when `name` cannot be given to a device (`taken` says if it is used). */
export function checkNewDeviceName(name: string, taken: (name: string) => boolean): void {
  if (!isValidDeviceName(name)) throw invalid(INVALID_NAME_MESSAGE);
  if (taken(name)) throw conflict(nameTakenMessage(name));
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
 * (The original appends the suffix before cutting at the first dot, which loses it for dotted names;
 * we cut first so the MAC suffix is always there.)
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
