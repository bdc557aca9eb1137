import type { ServerConfig } from '../../config/server-config.js';
import type { DeviceRegistry } from '../../devices/device-registry.js';
import type { DefaultImages } from '../../images/default-images.js';
import type { LogService } from '../../logs/log-service.js';
import type { ExtensionRegistry } from '../../plugins/extension-registry.js';
import type { Db } from '../../store/database.js';
import type { LeasesRepository } from '../../store/leases-repository.js';
import { DhcpServer } from './dhcp-server.js';
import { Ipv4Subnet } from './ipv4.js';
import { LeaseBook } from './lease-book.js';
import { interfaceHolding } from './walt-net-interface.js';

/** Defaults serve walt-net for real (0.0.0.0:67, replies as RFC 2131 says, port 68); loopback tests override. */
export interface DhcpServiceOptions {
  port?: number;
  replyPort?: number;
  bindAddress?: string;
  broadcastAddress?: string;
}

export interface DhcpServiceDeps {
  config: ServerConfig;
  db: Db;
  logs: LogService;
  registry: DeviceRegistry;
  extensions: ExtensionRegistry;
  leases: LeasesRepository;
  defaultImages: DefaultImages;
  serverName: string;
}

/**
 * Start DHCP on walt-net: leases from the store, registration through the device registry, boot
 * fields from the boot-protocol plugins, default images pulled before new nodes register. Returns
 * the server and the leases' device clean-up.
 */
export async function startDhcpService(deps: DhcpServiceDeps, options: DhcpServiceOptions = {}): Promise<{ server: DhcpServer; forget: (device: { mac: string }) => void }> {
  const { config, db, logs, registry, extensions } = deps;
  const subnet = new Ipv4Subnet(config.network.waltNet.ip);
  const serverIp = subnet.addressString;
  const log = (line: string, error = false) => logs.platform('dhcp', line, { error });

  // One transaction function, reused (nested calls become savepoints): building one per call costs.
  const inTransaction = db.transaction((fn: () => unknown) => fn());
  const images = deps.defaultImages;
  images.enable();

  const book = new LeaseBook(deps.leases, subnet, {
    macAt: (ip) => {
      const d = registry.byIp(ip);
      return d && d.type !== 'server' ? d.mac : undefined;
    },
    ipOf: (mac) => registry.byMac(mac)?.ip,
    reclaimable: (mac) => {
      const type = registry.byMac(mac)?.type;
      return type === undefined || type === 'unknown';
    },
    reclaimed: (mac, ip, lastSeenMs) => {
      registry.addressLost(mac, ip);
      const name = registry.byMac(mac)?.name ?? mac;
      log(`walt-net is full: address ${ip} of unknown device ${name} (${mac}, last seen ${new Date(lastSeenMs).toISOString()}) reclaimed for a new device`, true);
    },
  });
  const server = new DhcpServer(
    {
      book,
      devices: registry,
      protocols: extensions,
      images,
      transaction: (fn) => inTransaction(fn) as ReturnType<typeof fn>,
      log,
    },
    { serverIp, subnet, serverName: deps.serverName, ...options },
  );
  await server.start();
  const where = interfaceHolding(serverIp);
  if (!where) log(`no interface holds the walt-net address ${serverIp} yet: DHCP replies cannot leave until it is configured`, true);
  const replies = server.replies;
  if (replies.degraded) log(`DHCP cannot send 255.255.255.255 out of walt-net only: ${replies.description}`, true);
  log(`DHCP serving walt-net ${subnet} on ${where ?? '?'} (${book.size} lease${book.size === 1 ? '' : 's'}; ${replies.description})`);
  return { server, forget: (device) => book.forget(device.mac) };
}
