import { mkdirSync } from 'node:fs';
import type { DependencyContainer } from 'tsyringe';
import { NetSnmpSessionFactory, type SnmpSessionFactory } from '@walt/sdk';
import { HttpApi } from './api/http-api.js';
import { registerSwitchRoutes } from './api/switch-routes.js';
import { startSwitches } from './switches/switches-module.js';
import { registerDeviceRoutes } from './api/device-routes.js';
import { registerNodeRoutes } from './api/node-routes.js';
import { registerVirtualNodeRoutes } from './api/virtual-node-routes.js';
import { VirtualNodeService } from './nodes/virtual-node-service.js';
import type { NodeListing } from './nodes/node-listing.js';
import type { ImageStore } from './images/image-store.js';
import { Router } from './api/router.js';
import { registerSystemRoutes } from './api/system-routes.js';
import type { ServerConfig } from './config/server-config.js';
import { apiListenHosts } from './config/api-listen-hosts.js';
import { buildContainer } from './container.js';
import type { DeviceRegistry } from './devices/device-registry.js';
import type { LogService } from './logs/log-service.js';
import { DEFAULT_TCP_PORT, startLogSubsystem } from './logs/log-subsystem.js';
import { startNodeBootStatus } from './nodes/node-status-module.js';
import { rebootOnBootChange } from './nodes/reboot-on-boot-change.js';
import type { NodeImageService } from './nodes/node-image-service.js';
import type { TcpRequestServer } from './logs/tcp-request-server.js';
import { PluginHost } from './plugins/plugin-host.js';
import { pluginSources } from './plugins/plugin-sources.js';
import { readPluginState, writePluginState } from './plugins/plugin-state.js';
import type { Db } from './store/database.js';
import { startDhcpService } from './network/dhcp/dhcp-service.js';
import { startFirewall } from './network/nat/firewall-service.js';
import { startTftpService } from './network/tftp/start-tftp-service.js';
import { startImageService } from './images/start-image-service.js';
import { startNfsService } from './network/nfs/start-nfs-service.js';
import { setUpNetworks } from './network/interfaces/network-setup.js';
import { missingStaticFilesWarning } from './network/tftp-static/missing-static-files.js';
import { tftpStaticDir } from './network/tftp-static/build-tftp-static.js';
import { TOKENS } from './tokens.js';
import { UnexpectedErrorLog, type UnexpectedEvent } from './unexpected-error-log.js';

export interface ServerStartOptions {
  /** Built-in plugin package names (fail fast). */
  builtins?: string[];
  /** Folder the built-ins and config plugins resolve from (the server's install). */
  resolveFrom?: string;
  /** Plugin working folders loaded as they are, without packing (`walt-server start --plugin-dir`). */
  pluginDirs?: string[];
  /** Where daemon lines go (stdout by default). */
  echo?: (line: string) => void;
  snmp?: SnmpSessionFactory;
}

/** A running WalT server: store, plugins, services and the HTTP API. */
export class WaltServer {
  readonly container: DependencyContainer;
  readonly router = new Router();
  readonly plugins: PluginHost;
  private readonly api: HttpApi;
  private readonly stopHooks: Array<() => void | Promise<void>> = [];
  port = 0;
  /** The TCP side channel (logs from nodes...) and its port, once started. */
  tcp?: TcpRequestServer;
  tcpPort = 0;
  private readonly startedAt = new Date().toISOString();

  private constructor(
    readonly config: ServerConfig,
    private readonly options: ServerStartOptions,
  ) {
    mkdirSync(config.dataDir, { recursive: true });
    this.container = buildContainer(config, { echo: options.echo });
    this.container.registerInstance(TOKENS.Router, this.router);
    const logs = this.logs;
    this.plugins = new PluginHost({
      timeoutMs: config.pluginTimeoutMs,
      dataDir: config.dataDir,
      snmp: options.snmp ?? new NetSnmpSessionFactory(),
      log: (plugin, level, message) => {
        if (level === 'debug') return;
        logs.platform(`plugins`, `${plugin}: ${message}`, { error: level === 'error' });
      },
      report: (line, isError) => logs.platform('plugins', line, { error: isError }),
      onChange: (results) => {
        const now = new Date().toISOString();
        writePluginState(config.dataDir, { pid: process.pid, startedAt: this.startedAt, updatedAt: now, results: [...results] });
      },
    });
    this.container.registerInstance(TOKENS.PluginHost, this.plugins);
    this.container.registerInstance(TOKENS.Extensions, this.plugins.registry);
    this.api = new HttpApi(this.router, (e) => logs.platform('api', `internal error: ${(e as Error)?.stack ?? e}`, { error: true }));
  }

  get logs(): LogService {
    return this.container.resolve<LogService>(TOKENS.LogService);
  }

  get devices(): DeviceRegistry {
    return this.container.resolve<DeviceRegistry>(TOKENS.DeviceRegistry);
  }

  /** Register something to run at stop, in reverse order. */
  onStop(hook: () => void | Promise<void>): void {
    this.stopHooks.push(hook);
  }

  static async start(config: ServerConfig, options: ServerStartOptions = {}): Promise<WaltServer> {
    const server = new WaltServer(config, options);
    try {
      await server.boot();
    } catch (e) {
      await server.stop().catch(() => undefined);
      throw e;
    }
    return server;
  }

  private async boot(): Promise<void> {
    const waltNetIp = this.config.network.waltNet.ip.split('/')[0];
    const identity = this.container.resolve<{ mac: string }>(TOKENS.ServerIdentity);
    this.devices.ensureServer(identity.mac, waltNetIp);
    // walt-net (the bridge) and walt-adm first: DHCP, TFTP and the API bind to their addresses.
    const network = await setUpNetworks(this.config, this.logs, { bridgeMac: identity.mac });

    // The host logs the startup report (stream platform.plugins) and keeps it in the data dir.
    await this.plugins.loadAll(pluginSources(this.config, { names: this.options.builtins ?? [], installDir: this.options.resolveFrom }, this.options.pluginDirs));
    this.isolatePluginErrors();
    // Boards that netboot from firmware need the static boot folder: say once what builds it.
    const staticWarning = missingStaticFilesWarning(this.plugins.registry.bootProtocols(), tftpStaticDir(this.config.dataDir));
    if (staticWarning) this.logs.platform('tftp', `warning: ${staticWarning}`);

    registerSystemRoutes(this.router, this.plugins);
    registerDeviceRoutes(this.router, this.container);
    registerNodeRoutes(this.router, this.container);
    const vnodes = new VirtualNodeService({
      registry: this.devices,
      images: this.container.resolve<ImageStore>(TOKENS.ImageStore),
      logs: this.logs,
      extensions: this.plugins.registry,
      config: this.config,
    });
    registerVirtualNodeRoutes(this.router, vnodes);
    this.container.resolve<NodeListing>(TOKENS.NodeListing).setBootProblemSource((mac) => vnodes.bootProblem(mac));
    this.onStop(() => vnodes.stopAll());
    this.onStop(await startImageService(this.container, this.router));
    const switches = startSwitches(this.container, this.config, this.options.snmp ?? new NetSnmpSessionFactory());
    registerSwitchRoutes(this.router, this.devices, switches);
    this.onStop(() => switches.powersave.stop());

    // A walt-net that exists (a raw device's, or the virtual-only bridge that virtual nodes' taps
    // join): NAT firewall, and DHCP (leases, registration, boot fields), TFTP, NFS.
    if (network.waltNetReady) {
      const firewall = await startFirewall(this.container);
      this.onStop(() => firewall.teardown());
      try {
        const dhcp = await startDhcpService(this.container);
        this.onStop(() => dhcp.stop());
      } catch (e) {
        this.logs.platform('dhcp', `cannot serve DHCP on walt-net: ${(e as Error).message}`, { error: true });
      }
      try {
        const tftp = await startTftpService(this.container);
        if (tftp) this.onStop(() => tftp.stop());
      } catch (e) {
        this.logs.platform('tftp', `cannot serve TFTP on walt-net: ${(e as Error).message}`, { error: true });
      }
      try {
        const nfs = await startNfsService(this.container);
        if (nfs) this.onStop(() => nfs.stop());
      } catch (e) {
        this.logs.platform('nfs', `cannot manage NFS exports: ${(e as Error).message}`, { error: true });
      }
    }

    // walt-net could not be set up: its address is nowhere, and that was said once already.
    const hosts = network.waltNetReady ? apiListenHosts(this.config) : apiListenHosts(this.config).slice(0, 1);
    const logSubsystem = await startLogSubsystem(this.container, this.router, hosts, this.config.api.tcpPort ?? (this.config.api.port === 0 ? 0 : DEFAULT_TCP_PORT), (m) => this.logs.platform('api', m, { error: true }));
    this.onStop(() => logSubsystem.stop());
    this.tcp = logSubsystem.tcp;
    this.tcpPort = logSubsystem.tcpPort;
    const bootStatus = startNodeBootStatus(this.container, this.router, logSubsystem.tcp, {
      wake: (nodes) => switches.powersave.wake(nodes),
      inPowersave: (node) => switches.poe.isOff(node)?.reason === 'powersave',
    });
    this.onStop(() => bootStatus.close());
    // A rebooted node is down until it notifies again (the reboot service logged why).
    switches.reboot.onReboot((node) => bootStatus.forgetBooted(node.mac));
    this.onStop(rebootOnBootChange(this.container.resolve<NodeImageService>(TOKENS.NodeImages), switches.reboot, switches.powersave, this.logs));
    try {
      this.port = await this.api.listen(hosts, this.config.api.port);
    } catch (e) {
      if (hosts.length === 1) throw e;
      // The walt-net address may not be configured yet: serve on the main address and say so.
      await this.api.close();
      this.logs.platform('api', `cannot listen on walt-net address ${waltNetIp} (${(e as Error).message}); API on ${hosts[0]} only`, { error: true });
      this.port = await this.api.listen([hosts[0]], this.config.api.port);
      hosts.length = 1;
    }
    await this.plugins.ready();
    // Virtual nodes run again after a server restart (the original restarts every virtual node row).
    await vnodes.startAll();
    this.logs.platform('daemon', `walt-server ready, API on ${hosts.map((h) => `${h}:${this.port}`).join(' and ')}, TCP side channel on port ${this.tcpPort}, data in ${this.config.dataDir}`);
  }

  /**
   * A plugin's stray timer or promise that throws must not take the server down: the host isolates
   * that plugin. Any other failure no guard caught is logged with its origin and the server keeps
   * serving (docs/decisions/0010-unexpected-errors.md); a test runner's own listeners still see it.
   */
  private isolatePluginErrors(): void {
    const unexpected = new UnexpectedErrorLog((line, stack) => {
      process.stderr.write(`walt-server: ${line}\n${stack}\n`);
      try {
        this.logs.platform('daemon', line, { error: true });
      } catch {
        /* the store itself failed: stderr has it */
      }
    });
    const handler = (event: UnexpectedEvent) => (error: unknown) => {
      if (this.plugins.handleUncaught(error)) return;
      unexpected.report(event, error);
    };
    const onException = handler('uncaughtException');
    const onRejection = handler('unhandledRejection');
    process.on('uncaughtException', onException);
    process.on('unhandledRejection', onRejection);
    this.onStop(() => {
      process.off('uncaughtException', onException);
      process.off('unhandledRejection', onRejection);
    });
  }

  async stop(): Promise<void> {
    await this.api.close();
    for (const hook of this.stopHooks.reverse()) {
      try {
        await hook();
      } catch {
        /* keep stopping */
      }
    }
    await this.plugins.shutdown();
    const state = readPluginState(this.config.dataDir);
    if (state?.pid === process.pid) writePluginState(this.config.dataDir, { ...state, stoppedAt: new Date().toISOString() });
    this.container.resolve<Db>(TOKENS.Db).close();
  }
}
