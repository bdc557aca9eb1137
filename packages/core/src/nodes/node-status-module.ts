import type { DependencyContainer } from 'tsyringe';
import { registerNodeStatusRoutes } from '../api/node-status-routes.js';
import type { Router } from '../api/router.js';
import type { Device } from '../devices/device.js';
import type { DeviceRegistry } from '../devices/device-registry.js';
import type { DeviceSets } from '../devices/device-set.js';
import type { LogService } from '../logs/log-service.js';
import { TCP_REQUESTS, type TcpRequestServer } from '../logs/tcp-request-server.js';
import { TOKENS } from '../tokens.js';
import { NodeBootStatus } from './node-boot-status.js';
import type { NodeListing } from './node-listing.js';

export interface NodeStatusDeps {
  /** Powers on nodes WalT put in powersave (the switches side), before waiting for them. */
  wake?: (nodes: readonly Device[]) => Promise<unknown>;
  /** True when WalT powered the node off to save power (shown as `no (powersave)`). */
  inPowersave?: (node: Device) => boolean;
}

/**
 * Node boot status: bootup notifications on the TCP side channel, the `booted` column of
 * `walt node show`, and `walt node wait`.
 */
export function startNodeBootStatus(container: DependencyContainer, router: Router, tcp: TcpRequestServer, deps: NodeStatusDeps = {}): NodeBootStatus {
  const registry = container.resolve<DeviceRegistry>(TOKENS.DeviceRegistry);
  const status = new NodeBootStatus(registry, container.resolve<LogService>(TOKENS.LogService));
  tcp.handle(TCP_REQUESTS.NOTIFY_BOOTUP_STATUS.id, TCP_REQUESTS.NOTIFY_BOOTUP_STATUS.name, (socket, rest) => status.accept(socket, rest));
  container.resolve<NodeListing>(TOKENS.NodeListing).setBootStatusSource((mac) => {
    if (status.isBooted(mac)) return 'yes';
    const node = registry.byMac(mac);
    return node && deps.inPowersave?.(node) ? 'no (powersave)' : 'NO';
  });
  registerNodeStatusRoutes(router, {
    sets: container.resolve<DeviceSets>(TOKENS.DeviceSets),
    status,
    wake: deps.wake ? (macs) => deps.wake!(macs.map((m) => registry.byMac(m)).filter((d): d is Device => !!d)) : undefined,
  });
  return status;
}
