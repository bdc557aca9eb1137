import type { DeviceRegistry } from '../devices/device-registry.js';
import type { SwitchesRepository } from '../store/switches-repository.js';
import { LinkTopology } from './link-topology.js';
import { MSG_UNKNOWN_TOPOLOGY, renderTree, type TreeDevice } from './tree-view.js';

/** `walt device tree`: the stored topology, rooted at the switch the server is plugged into. */
export class TopologyView {
  constructor(
    private readonly registry: DeviceRegistry,
    private readonly repo: SwitchesRepository,
  ) {}

  tree(showAll: boolean, unicode: boolean): string {
    const topology = new LinkTopology();
    for (const l of this.repo.topology()) topology.set(l.mac1, l.mac2, { port1: l.port1, port2: l.port2, confirmed: l.confirmed });
    const devices = new Map<string, TreeDevice>(this.registry.all().map((d) => [d.mac, { name: d.name, type: d.type }]));
    const server = this.registry.all().find((d) => d.type === 'server');
    const root = server && topology.neighbors(server.mac).find((n) => devices.get(n.mac)?.type === 'switch');
    if (!root) {
      const unknown = server ? topology.neighbors(server.mac).map((n) => devices.get(n.mac)?.name ?? n.mac) : [];
      const hint = unknown.length ? `\n(the server sees ${unknown.join(', ')}: if one is a switch, use 'walt device config <device> type=switch')` : '';
      return MSG_UNKNOWN_TOPOLOGY + hint;
    }
    const forbidden = new Set(this.registry.all().filter((d) => d.type === 'switch' && d.conf['lldp.explore'] !== true).map((d) => d.mac));
    const portNames = new Map([...devices.keys()].map((mac) => [mac, this.repo.portNames(mac)]));
    const last = this.repo.lastScan();
    return renderTree({
      topology,
      devices,
      rootMac: root.mac,
      forbidden,
      portNames,
      showAll,
      scanAgeSeconds: last === null ? null : Date.now() / 1000 - last,
      unicode,
    });
  }
}
