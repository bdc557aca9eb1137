import type { DependencyContainer } from 'tsyringe';
import type { ServerConfig } from '../../config/server-config.js';
import type { DeviceRegistry } from '../../devices/device-registry.js';
import type { ImageStore } from '../../images/image-store.js';
import type { LogService } from '../../logs/log-service.js';
import type { ExtensionRegistry } from '../../plugins/extension-registry.js';
import type { Db } from '../../store/database.js';
import type { LeasesRepository } from '../../store/leases-repository.js';
import { TOKENS } from '../../tokens.js';
import { DefaultImageFetcher } from './default-image-fetcher.js';
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

/**
 * Start DHCP on walt-net from the server's container: leases from the store, registration through
 * the device registry, boot fields from the boot-protocol plugins, default images from the image
 * store (the registry's DefaultImageProvider is set here).
 */
export async function startDhcpService(c: DependencyContainer, options: DhcpServiceOptions = {}): Promise<DhcpServer> {
  const config = c.resolve<ServerConfig>(TOKENS.Config);
  const db = c.resolve<Db>(TOKENS.Db);
  const logs = c.resolve<LogService>(TOKENS.LogService);
  const registry = c.resolve<DeviceRegistry>(TOKENS.DeviceRegistry);
  const extensions = c.resolve<ExtensionRegistry>(TOKENS.Extensions);
  const identity = c.resolve<{ name: string }>(TOKENS.ServerIdentity);
  const subnet = new Ipv4Subnet(config.network.waltNet.ip);
  const serverIp = subnet.addressString;
  const log = (line: string, error = false) => logs.platform('dhcp', line, { error });

  const images = new DefaultImageFetcher(c.resolve<ImageStore>(TOKENS.ImageStore));
  registry.setDefaultImageProvider(images);

  const book = new LeaseBook(c.resolve<LeasesRepository>(TOKENS.LeasesRepository), subnet, {
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
  registry.onForget((device) => book.forget(device.mac));
  const server = new DhcpServer(
    {
      book,
      devices: registry,
      protocols: extensions,
      images,
      transaction: (fn) => db.transaction(fn)(),
      log,
    },
    { serverIp, subnet, serverName: identity.name, ...options },
  );
  await server.start();
  const where = interfaceHolding(serverIp);
  if (!where) log(`no interface holds the walt-net address ${serverIp} yet: DHCP replies cannot leave until it is configured`, true);
  const replies = server.replies;
  if (replies.degraded) log(`DHCP cannot send 255.255.255.255 out of walt-net only: ${replies.description}`, true);
  log(`DHCP serving walt-net ${subnet} on ${where ?? '?'} (${book.size} lease${book.size === 1 ? '' : 's'}; ${replies.description})`);
  return server;
}
