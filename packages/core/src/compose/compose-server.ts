import { join } from 'node:path';
import { SqlService } from '../advanced/sql-service.js';
import { registerCompletionRoutes } from '../api/completion-routes.js';
import { registerDeviceRoutes } from '../api/device-routes.js';
import { registerNodeRoutes } from '../api/node-routes.js';
import { registerNodeSessionRoutes } from '../api/node-session-routes.js';
import { findOpenSshClient, OpenSshClient } from '../nodes/ssh/openssh-client.js';
import { registerSqlRoutes } from '../api/sql-routes.js';
import { NodeSshPool } from '../nodes/ssh/node-ssh-pool.js';
import { Router } from '../api/router.js';
import { registerSystemRoutes } from '../api/system-routes.js';
import { registerVirtualNodeRoutes } from '../api/virtual-node-routes.js';
import type { HttpApiSecurity } from '../api/http-api.js';
import { loadOrCreateServerCertificate, type ServerCertificate } from '../api/tls/server-certificate.js';
import { registerUserRoutes } from '../api/user-routes.js';
import { UserTokens } from '../users/user-tokens.js';
import type { ServerConfig } from '../config/server-config.js';
import type { DhcpServiceOptions } from '../network/dhcp/dhcp-service.js';
import { NodeListing } from '../nodes/node-listing.js';
import { BootTimeoutWatchdog } from '../nodes/boot-timeout-watchdog.js';
import { rebootOnBootChange } from '../nodes/reboot-on-boot-change.js';
import { VirtualNodeService } from '../nodes/virtual-node-service.js';
import { composeCore, type CoreOptions, type CoreServices } from './core-services.js';
import { composeImages } from './images-subsystem.js';
import { composeLogs, composeTcpSideChannel, DEFAULT_TCP_PORT } from './log-subsystem.js';
import { composeNodeStatus } from './node-status-subsystem.js';
import type { Subsystem } from './subsystem.js';
import { composeSwitches, type SwitchesOptions } from './switches-subsystem.js';
import { composeWaltNet } from './walt-net-subsystems.js';

export interface ComposeOptions extends CoreOptions {
  /** The addresses the API and the TCP side channel listen on (known once the networks are set up). */
  hosts(): readonly string[];
  /** walt-net exists once the networks are set up: its services (firewall, DHCP, TFTP, NFS) start only then. */
  waltNetReady(): boolean;
  switches?: SwitchesOptions;
  dhcp?: DhcpServiceOptions;
}

/** The whole server, built but not started: what WaltServer sequences. */
export interface ComposedServer {
  core: CoreServices;
  router: Router;
  /** In start order (stop is the reverse). */
  subsystems: Subsystem[];
  /** The TCP side channel's port once started. */
  tcpPort(): number;
  /** Tokens, certificate and peer check of the user API. */
  security: HttpApiSecurity & { tls: ServerCertificate };
}

/**
 * The composition root: every service of a server is constructed here, explicitly and in dependency
 * order, and each subsystem hands back what it contributes (routes, TCP requests, device clean-ups,
 * start, stop) instead of registering itself. The plugin host's registry is created first (in
 * composeCore) and never replaced, so every service holds the registry plugins fill at start.
 */
export function composeServer(config: ServerConfig, options: ComposeOptions): ComposedServer {
  const core = composeCore(config, options);
  const { registry, sets, logs, extensions, plugins } = core;

  const vnodes = new VirtualNodeService({ registry, images: core.images, logs, extensions, config });
  const { switches, subsystem: switchesSubsystem } = composeSwitches(
    { config, db: core.db, registry, extensions, logs, serverMac: core.identity.mac, snmp: core.snmp },
    options.switches,
  );
  const nodeStatus = composeNodeStatus({
    registry,
    sets,
    logs,
    wake: (nodes) => switches.powersave.wake(nodes),
    inPowersave: (node) => switches.poe.isOff(node)?.reason === 'powersave',
  });
  // A rebooted node is down until it notifies again (the reboot service logged why).
  switches.reboot.onReboot((node) => nodeStatus.status.forgetBooted(node.mac));
  const bootTimeouts = new BootTimeoutWatchdog({
    registry,
    logs,
    isBooted: (mac) => nodeStatus.status.isBooted(mac),
    inPowersave: (node) => switches.poe.isOff(node)?.reason === 'powersave',
    hardReboot: (node) => switches.reboot.reboot([node], true),
  });
  switches.reboot.onReboot((node) => bootTimeouts.bootStarted(node));
  nodeStatus.status.onDown((mac) => {
    const node = registry.byMac(mac);
    if (node) bootTimeouts.bootStarted(node);
  });
  const listing = new NodeListing(registry, nodeStatus.bootedLabel, (mac) => vnodes.bootProblem(mac));
  const nodeSsh = new NodeSshPool({ keysDir: join(config.dataDir, 'keys') });
  const openSshBinary = findOpenSshClient();
  const openssh = openSshBinary ? new OpenSshClient(openSshBinary, join(config.dataDir, 'keys')) : undefined;
  let stopRebootOnBootChange: (() => Promise<void>) | undefined;

  const tokens = new UserTokens(core.db);
  const certificate = loadOrCreateServerCertificate(config.dataDir);
  // A node never needs the user API: if an admin lists walt-net, a node's address is refused there.
  const refusePeer = (address: string) => {
    const ip = address.replace(/^::ffff:/, '');
    return registry.byIp(ip)?.type === 'node' ? `${ip} is a node's address: nodes do not use the user API (only the node channel, TFTP and NFS)` : undefined;
  };

  const domain: Subsystem[] = [
    { name: 'users', routes: (router) => registerUserRoutes(router, tokens, (m) => logs.platform('api', m)) },
    { name: 'plugins', routes: (router) => registerSystemRoutes(router, plugins, certificate.fingerprint) },
    { name: 'devices', routes: (router) => registerDeviceRoutes(router, { registry, sets, config: core.deviceConfig, switches: switches.repo, audit: (line) => logs.platform('nodes', line) }) },
    { name: 'nodes', routes: (router) => registerNodeRoutes(router, { registry, sets, listing, images: core.nodeImages, audit: (line) => logs.platform('nodes', line) }) },
    {
      name: 'node sessions',
      routes: (router) => registerNodeSessionRoutes(router, { registry, sets, status: nodeStatus.status, ssh: nodeSsh, openssh }),
      stop: () => {
        nodeSsh.close();
        openssh?.close();
      },
    },
    {
      name: 'virtual nodes',
      routes: (router) => registerVirtualNodeRoutes(router, vnodes),
      // Virtual nodes run again after a server restart (the original restarts every virtual node row).
      ready: () => vnodes.startAll(),
      stop: () => vnodes.stopAll(),
    },
    { name: 'shell completion', routes: (router) => registerCompletionRoutes(router, { registry, images: core.images }) },
    { name: 'advanced sql', routes: (router) => registerSqlRoutes(router, new SqlService(join(config.dataDir, 'walt.db'))) },
    composeImages({ config, store: core.images, defaults: core.defaultImages, registry, logs, nodeImages: core.nodeImages, nodeSave: { registry, status: nodeStatus.status, ssh: nodeSsh } }),
    switchesSubsystem,
    ...composeWaltNet(core, options.waltNetReady, options.dhcp),
    composeLogs({ db: core.db, logs, repo: core.logsRepo, registry, sets }, () => tcp.port()),
    nodeStatus.subsystem,
    { name: 'boot timeouts', start: async () => bootTimeouts.start(), stop: () => bootTimeouts.stop(), forget: (device) => bootTimeouts.forget(device.mac) },
    {
      name: 'reboots on boot change',
      start: async () => {
        stopRebootOnBootChange = rebootOnBootChange(core.nodeImages, switches.reboot, switches.powersave, logs);
      },
      stop: () => stopRebootOnBootChange?.(),
    },
  ];
  const tcpPort = config.api.tcpPort ?? (config.api.port === 0 ? 0 : DEFAULT_TCP_PORT);
  const tcp = composeTcpSideChannel(
    domain.flatMap((s) => s.tcpRequests ?? []),
    options.hosts,
    tcpPort,
    (m) => logs.platform('api', m, { error: true }),
  );
  const subsystems = [...domain, tcp];

  const router = new Router();
  for (const s of subsystems) {
    s.routes?.(router);
    if (s.forget) core.cleanups.add(s.name, s.forget);
  }
  return { core, router, subsystems, tcpPort: () => tcp.port(), security: { tokens, tls: certificate, refusePeer } };
}
