/**
 * The `netsetup` device setting: NAT (the device reaches other networks through the server: router
 * option and NAT rules) or LAN (walt-net only, the default). The original stores it as 1/0; the
 * settings code stores 'NAT'/'LAN'. Both are accepted.
 */
export function isNatNetsetup(conf: Readonly<Record<string, unknown>> | null | undefined): boolean {
  const v = conf?.netsetup;
  return v === 1 || v === '1' || (typeof v === 'string' && v.toUpperCase() === 'NAT');
}
