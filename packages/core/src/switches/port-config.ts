import type { Device } from '../devices/device.js';
import type { DeviceRegistry } from '../devices/device-registry.js';
import { invalid } from '../errors.js';
import type { SwitchesRepository } from '../store/switches-repository.js';

/** `walt device port-config`: names of switch ports, and what WalT knows of each used port. */
export class PortConfig {
  constructor(
    private readonly registry: DeviceRegistry,
    private readonly repo: SwitchesRepository,
  ) {}

  private switchNamed(name: string): Device {
    const sw = this.registry.byName(name);
    if (!sw) throw invalid(`No device with name '${name}' found.`);
    if (sw.type !== 'switch') throw invalid(`Failed: ${name} is not a switch.`);
    if (sw.conf['lldp.explore'] !== true) {
      throw invalid(`Failed: WalT may not explore ${name}; run 'walt device config ${name} lldp.explore=true' first (see walt help show device-config).`);
    }
    return sw;
  }

  /** Ports used by a switch: port -> peer mac, from the topology. */
  private usedPorts(sw: Device): Map<number, string> {
    const out = new Map<number, string>();
    for (const l of this.repo.topology()) {
      if (l.mac1 === sw.mac && l.port1 !== null) out.set(l.port1, l.mac2);
      if (l.mac2 === sw.mac && l.port2 !== null) out.set(l.port2, l.mac1);
    }
    return out;
  }

  show(name: string, port?: number): string {
    const sw = this.switchNamed(name);
    const used = this.usedPorts(sw);
    const names = this.repo.portNames(sw.mac);
    const off = new Map(this.repo.poeOff().filter((e) => e.mac === sw.mac).map((e) => [e.port, e.reason]));
    const poeAllowed = sw.conf['poe.reboots'] === true;
    const ports = port !== undefined ? [port] : [...used.keys()].sort((a, b) => a - b);
    if (port === undefined && !ports.length) {
      return "WalT did not detect traffic going through this switch yet.\nUse 'walt device rescan' to probe again.";
    }
    const lines = ports.map((p) => {
      const peerMac = used.get(p);
      const peer = peerMac ? this.registry.byMac(peerMac)?.name ?? 'unknown' : 'unknown';
      const poe = !poeAllowed ? 'unavailable' : off.has(p) ? 'off' : 'on';
      const reason = off.get(p);
      return `${p}: name="${names.get(p) ?? String(p)}" poe=${poe} peer=${peer}${reason ? `  # ${reason}` : ''}`;
    });
    const title = port !== undefined ? `Port ${port} of ${name} has the following config:` : `WalT currently uses the following ports of ${name}:`;
    const note = poeAllowed ? '' : `\n\n(poe=unavailable: WalT may not control PoE on ${name}; see 'walt device config ${name} poe.reboots=true'.)`;
    return `${title}\n${lines.join('\n')}${note}`;
  }

  /** Set `name=<port-name>`; an all-digit name must be the port id and resets to the default. */
  configure(name: string, port: number, settings: Record<string, string>): string {
    const sw = this.switchNamed(name);
    if (!Number.isInteger(port) || port < 1) throw invalid(`invalid port id '${port}' (a positive integer).`);
    const keys = Object.keys(settings);
    if (!keys.length) throw invalid('Please provide settings as `<setting name>=<setting value>` arguments.');
    for (const k of keys) if (k !== 'name') throw invalid(`Unknown port setting '${k}' (only 'name' is available). See: 'walt help show device-port-config'`);
    const value = settings.name;
    if (!/^[a-zA-Z0-9-]+$/.test(value)) throw invalid(`Failed: invalid port name '${value}' (only letters, digits and '-').`);
    if (/^\d+$/.test(value)) {
      if (Number(value) !== port) throw invalid(`Failed: a numeric port name must be the port id (${port}), which restores the default name.`);
      this.repo.setPortName(sw.mac, port, null);
    } else this.repo.setPortName(sw.mac, port, value);
    return 'Done.';
  }
}
