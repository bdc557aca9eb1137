import type { LogService } from '../logs/log-service.js';
import { startDhcpService, type DhcpServiceOptions } from '../network/dhcp/dhcp-service.js';
import { startFirewall } from '../network/nat/firewall-service.js';
import { startRouterAdvertisements } from '../network/ndp/router-advertisements.js';
import { startNfsService } from '../network/nfs/start-nfs-service.js';
import { startTftpService } from '../network/tftp/start-tftp-service.js';
import type { CoreServices } from './core-services.js';
import type { Subsystem } from './subsystem.js';

/** A service walt-net can do without: a failure to start is logged, and the server serves the rest. */
async function optional(logs: LogService, stream: string, what: string, start: () => Promise<void>): Promise<void> {
  try {
    await start();
  } catch (e) {
    logs.platform(stream, `cannot ${what}: ${(e as Error).message}`, { error: true });
  }
}

/**
 * The services of walt-net, once it exists (a raw device's, or the virtual-only bridge that virtual
 * nodes' taps join; `ready` says so after the networks are set up): NAT firewall, DHCP (leases,
 * registration, boot fields), the IPv6 "no router here" answer, TFTP and NFS exports. Without walt-net they start nothing.
 */
export function composeWaltNet(core: CoreServices, ready: () => boolean, dhcpOptions: DhcpServiceOptions = {}): Subsystem[] {
  const { config, logs, registry: devices, images, extensions } = core;
  let firewall: Awaited<ReturnType<typeof startFirewall>> | undefined;
  let dhcp: Awaited<ReturnType<typeof startDhcpService>> | undefined;
  let tftp: Awaited<ReturnType<typeof startTftpService>>;
  let ndp: Awaited<ReturnType<typeof startRouterAdvertisements>> | undefined;
  let nfs: Awaited<ReturnType<typeof startNfsService>>;
  return [
    {
      name: 'firewall',
      start: async () => {
        if (ready()) firewall = await startFirewall({ config, logs, registry: devices });
      },
      stop: () => firewall?.teardown(),
    },
    {
      name: 'dhcp',
      // A forgotten device's lease goes back to the pool (the lease book keeps its own index).
      forget: (device) => (dhcp ? dhcp.forget(device) : core.leasesRepo.delete(device.mac)),
      start: () =>
        optional(logs, 'dhcp', 'serve DHCP on walt-net', async () => {
          if (!ready()) return;
          dhcp = await startDhcpService(
            { config, db: core.db, logs, registry: devices, extensions, leases: core.leasesRepo, defaultImages: core.defaultImages, serverName: core.identity.name },
            dhcpOptions,
          );
        }),
      stop: () => dhcp?.server.stop(),
    },
    {
      name: 'ndp',
      start: () =>
        optional(logs, 'ndp', 'answer IPv6 router solicitations on walt-net', async () => {
          if (ready()) ndp = await startRouterAdvertisements({ config, logs });
        }),
      stop: () => ndp?.stop(),
    },
    {
      name: 'tftp',
      start: () =>
        optional(logs, 'tftp', 'serve TFTP on walt-net', async () => {
          if (!ready()) return;
          tftp = await startTftpService({ config, devices, images, extensions, logs });
        }),
      stop: () => tftp?.stop(),
    },
    {
      name: 'nfs',
      start: () =>
        optional(logs, 'nfs', 'manage NFS exports', async () => {
          if (!ready()) return;
          nfs = await startNfsService({ config, devices, images, logs });
        }),
      stop: () => nfs?.stop(),
    },
  ];
}
