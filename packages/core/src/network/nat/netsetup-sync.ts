import type { Device } from '../../devices/device.js';
import type { DeviceChange } from '../../devices/device-registry.js';
import { isNatNetsetup } from './netsetup.js';
import type { WaltFirewall } from './walt-firewall.js';

/**
 * Keeps the firewall's per-device NAT rules in line with the registry: any change of a device's
 * netsetup or IP (`walt device config <dev> netsetup=NAT`, a new lease...) re-applies its rule.
 */
export class NetsetupSync {
  private readonly applied = new Map<string, { ip: string | null; nat: boolean }>();

  constructor(private readonly firewall: Pick<WaltFirewall, 'applyNetsetup'>) {}

  /** Remember what prepare() installed. */
  seed(devices: Iterable<Device>): void {
    for (const d of devices) this.applied.set(d.mac, { ip: d.ip, nat: isNatNetsetup(d.conf) });
  }

  /** A registry change listener (called inside the write: the iptables work is only scheduled). */
  readonly onChange = (change: DeviceChange): void => {
    const d = change.device;
    if (d.type === 'server') return;
    const before = this.applied.get(d.mac);
    if (change.kind === 'forgotten') {
      this.applied.delete(d.mac);
      if (before?.nat) void this.firewall.applyNetsetup({ ip: null, conf: {} }, before.ip);
      return;
    }
    const now = { ip: d.ip, nat: isNatNetsetup(d.conf) };
    if (before && before.ip === now.ip && before.nat === now.nat) return;
    this.applied.set(d.mac, now);
    if (!now.nat && !before?.nat) return;
    void this.firewall.applyNetsetup({ ip: d.ip, conf: d.conf }, before?.ip !== d.ip ? before?.ip : undefined);
  };
}
