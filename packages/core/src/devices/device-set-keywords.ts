/**
 * Device sets, as every command that takes several devices reads them: a comma-separated list (no
 * spaces needed) of device names and keywords, united and sorted by name.
 */
export const DEVICE_SET_KEYWORDS = [
  'my-nodes',
  'free-nodes',
  'all-nodes',
  'all-switches',
  'all-devices',
  'explorable-switches',
  'server',
] as const;

export type DeviceSetKeyword = (typeof DEVICE_SET_KEYWORDS)[number];

export function isDeviceSetKeyword(word: string): word is DeviceSetKeyword {
  return (DEVICE_SET_KEYWORDS as readonly string[]).includes(word);
}

