import { mkdirSync } from 'node:fs';
import { NetSnmpSessionFactory, type SnmpSessionFactory } from '@walt/sdk';
import { HttpApi } from './api/http-api.js';
import type { Router } from './api/router.js';
import { composeServer, type ComposedServer } from './compose/compose-server.js';
import type { SwitchesOptions } from './compose/switches-subsystem.js';
import type { Subsystem } from './compose/subsystem.js';
import { apiListenHosts, userApiHosts } from './config/api-listen-hosts.js';
import type { ServerConfig } from './config/server-config.js';
import type { DeviceRegistry } from './devices/device-registry.js';
import type { LogService } from './logs/log-service.js';
import type { PluginHost } from './plugins/plugin-host.js';
import { pluginSources } from './plugins/plugin-sources.js';
import { readPluginState, writePluginState } from './plugins/plugin-state.js';
import { setUpNetworks } from './network/interfaces/network-setup.js';
import { missingStaticFilesWarning } from './network/tftp-static/missing-static-files.js';
import { tftpStaticDir } from './network/tftp-static/build-tftp-static.js';
import { UnexpectedErrorLog, type UnexpectedEvent } from './unexpected-error-log.js';

export interface ServerStartOptions {
  /** Built-in plugin package names (fail fast). */
  builtins?: string[];
  /** Folder the built-ins and config plugins resolve from (the server's install). */
  resolveFrom?: string;
  /** Plugin working folders loaded as they are, without packing (`walt-server start --plugin-dir`). */
  pluginDirs?: string[];
  /** Run the pluginDirs plugins inside the server's process (`start --in-process`), not each in its own. */
  pluginDirsInProcess?: boolean;
  /** Where daemon lines go (stdout by default). */
  echo?: (line: string) => void;
  snmp?: SnmpSessionFactory;
  /** Switch timings and the server's own SNMP agent, shortened or redirected by tests. */
  switches?: SwitchesOptions;
}

/**
 * A running WalT server. The object graph is built by the composition root (compose/); this class
 * only sequences it: plugins load, subsystems start in composition order, the API listens, plugins
 * are told the server is ready, then the subsystems' ready hooks run; stop runs in reverse.
 */
export class WaltServer {
  readonly router: Router;
  readonly plugins: PluginHost;
  private readonly composed: ComposedServer;
  private readonly api: HttpApi;
  private hosts: string[];
  /** walt-net (a raw device's, or the virtual-only bridge) exists: its services start. */
  private waltNetReady = false;
  /** The subsystems started so far, and other stop hooks, stopped in reverse. */
  private readonly stopHooks: Array<() => void | Promise<void>> = [];
  port = 0;
  tcpPort = 0;
  /** Where the user API listens (see userApiHosts). */
  apiHosts: string[] = [];

  private constructor(
    readonly config: ServerConfig,
    private readonly options: ServerStartOptions,
  ) {
    mkdirSync(config.dataDir, { recursive: true });
    this.hosts = apiListenHosts(config);
    this.composed = composeServer(config, {
      echo: options.echo,
      snmp: options.snmp ?? new NetSnmpSessionFactory(),
      startedAt: new Date().toISOString(),
      hosts: () => this.hosts,
      waltNetReady: () => this.waltNetReady,
      switches: options.switches,
    });
    this.router = this.composed.router;
    this.plugins = this.composed.core.plugins;
    const logs = this.logs;
    this.api = new HttpApi(this.router, (e) => logs.platform('api', `internal error: ${(e as Error)?.stack ?? e}`, { error: true }), this.composed.security);
  }

  get logs(): LogService {
    return this.composed.core.logs;
  }

  get devices(): DeviceRegistry {
    return this.composed.core.registry;
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
    const identity = this.composed.core.identity;
    this.devices.ensureServer(identity.mac, waltNetIp);
    // walt-net (the bridge) and walt-adm first: DHCP, TFTP and the API bind to their addresses.
    const network = await setUpNetworks(this.config, this.logs, { bridgeMac: identity.mac });
    this.waltNetReady = network.waltNetReady;
    // walt-net could not be set up: its address is nowhere, and that was said once already.
    if (!network.waltNetReady) this.hosts = this.hosts.slice(0, 1);

    // The host logs the startup report (stream platform.plugins) and keeps it in the data dir.
    await this.plugins.loadAll(pluginSources(this.config, { names: this.options.builtins ?? [], installDir: this.options.resolveFrom }, this.options.pluginDirs, { devInProcess: this.options.pluginDirsInProcess }));
    this.isolatePluginErrors();
    // Boards that netboot from firmware need the static boot folder: say once what builds it.
    const staticWarning = missingStaticFilesWarning(this.plugins.registry.bootProtocols(), tftpStaticDir(this.config.dataDir));
    if (staticWarning) this.logs.platform('tftp', `warning: ${staticWarning}`);

    const subsystems = this.composed.subsystems;
    for (const s of subsystems) {
      if (s.stop) this.stopHooks.push(() => s.stop!());
      await s.start?.();
    }
    this.tcpPort = this.composed.tcpPort();

    // The node channel listens on walt-net too (this.hosts); the user API only where users are.
    const apiHosts = userApiHosts(this.config);
    try {
      this.port = await this.api.listen(apiHosts, this.config.api.port);
    } catch (e) {
      if (apiHosts.length === 1) throw e;
      // An address of api.listen may not be configured yet: serve on the main address and say so.
      await this.api.close();
      this.logs.platform('api', `cannot listen on ${apiHosts.slice(1).join(', ')} (${(e as Error).message}); API on ${apiHosts[0]} only`, { error: true });
      this.port = await this.api.listen([apiHosts[0]], this.config.api.port);
      apiHosts.length = 1;
    }
    this.apiHosts = apiHosts;
    await this.plugins.ready();
    await runReady(subsystems);
    this.logs.platform('daemon', `walt-server ready, API on ${this.apiHosts.map((h) => `${h}:${this.port}`).join(' and ')} (HTTPS except on loopback; certificate ${this.composed.security.tls.fingerprint.slice(0, 16)}...), TCP side channel on port ${this.tcpPort}, data in ${this.config.dataDir}`);
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
    this.stopHooks.push(() => {
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
    this.composed.core.db.close();
  }
}

async function runReady(subsystems: readonly Subsystem[]): Promise<void> {
  for (const s of subsystems) await s.ready?.();
}
