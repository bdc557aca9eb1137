import { registerNodeStatusRoutes } from '../api/node-status-routes.js';
import type { Device } from '../devices/device.js';
import type { DeviceRegistry } from '../devices/device-registry.js';
import type { DeviceSets } from '../devices/device-set.js';
import type { LogService } from '../logs/log-service.js';
import { TCP_REQUESTS } from '../logs/tcp-request-server.js';
import { NodeBootStatus } from '../nodes/node-boot-status.js';
import type { BootedLabel } from '../nodes/node-listing.js';
import type { Subsystem } from './subsystem.js';

export interface NodeStatusDeps {
  registry: DeviceRegistry;
  sets: DeviceSets;
  logs: LogService;
  /** Powers on nodes WalT put in powersave (the switches side), before waiting for them. */
  wake?: (nodes: readonly Device[]) => Promise<unknown>;
  /** True when WalT powered the node off to save power (shown as `no (powersave)`). */
  inPowersave?: (node: Device) => boolean;
}

/**
 * Node boot status: bootup notifications on the TCP side channel, the `booted` column of
 * `walt node show` (bootedLabel), and `walt node wait`.
 */
export function composeNodeStatus(deps: NodeStatusDeps): { status: NodeBootStatus; bootedLabel: (mac: string) => BootedLabel; subsystem: Subsystem } {
  const { registry } = deps;
  const status = new NodeBootStatus(registry, deps.logs);
  const bootedLabel = (mac: string): BootedLabel => {
    if (status.isBooted(mac)) return 'yes';
    const node = registry.byMac(mac);
    return node && deps.inPowersave?.(node) ? 'no (powersave)' : 'NO';
  };
  return {
    status,
    bootedLabel,
    subsystem: {
      name: 'node status',
      tcpRequests: [{ ...TCP_REQUESTS.NOTIFY_BOOTUP_STATUS, handle: (socket, rest) => status.accept(socket, rest) }],
      routes: (router) =>
        registerNodeStatusRoutes(router, {
          sets: deps.sets,
          status,
          wake: deps.wake ? (macs) => deps.wake!(macs.map((m) => registry.byMac(m)).filter((d): d is Device => !!d)) : undefined,
        }),
      stop: () => status.close(),
    },
  };
}
