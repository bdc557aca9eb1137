/** A device on walt-net, as the registry keeps it. */
export type DeviceType = 'server' | 'node' | 'switch' | 'unknown';

export const DEVICE_TYPES: readonly DeviceType[] = ['server', 'node', 'switch', 'unknown'];

export interface Device {
  /** Lowercase "aa:bb:cc:dd:ee:ff"; the identity of a device. */
  mac: string;
  ip: string | null;
  name: string;
  type: DeviceType;
  virtual: boolean;
  /** Node model id (nodes only). */
  model: string | null;
  /** Full image name the node boots, "<user>/<name>:<tag>" (nodes only). */
  image: string | null;
  /** Device settings (`walt device config`), typed values. */
  conf: Record<string, unknown>;
  createdAt: number;
}

/** Normalise a MAC to lowercase colon form; throws on anything that is not a MAC. */
export function normalizeMac(mac: string): string {
  const hex = mac.toLowerCase().replace(/[^0-9a-f]/g, '');
  if (hex.length !== 12 || !/^([0-9a-fA-F]{2}[:-]?){5}[0-9a-fA-F]{2}$/.test(mac)) throw new Error(`invalid MAC address '${mac}'`);
  return hex.match(/../g)!.join(':');
}
