import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DependencyContainer } from 'tsyringe';
import type { SnmpSessionFactory } from '@walt/sdk';
import { HttpApi } from './api/http-api.js';
import { registerDeviceRoutes } from './api/device-routes.js';
import { Router } from './api/router.js';
import { registerSystemRoutes } from './api/system-routes.js';
import type { ServerConfig } from './config/server-config.js';
import { buildContainer } from './container.js';
import type { DeviceRegistry } from './devices/device-registry.js';
import type { LogService } from './logs/log-service.js';
import { PluginHost, type PluginSource } from './plugins/plugin-host.js';
import { installedPlugins, pluginsDir } from './plugins/installed-plugins.js';
import { reportLines } from './plugins/plugin-report.js';
import type { Db } from './store/database.js';
import { TOKENS } from './tokens.js';

export interface ServerStartOptions {
  /** Built-in plugin package names (fail fast). */
  builtins?: string[];
  /** Folder the built-ins and config plugins resolve from (the server's install). */
  resolveFrom?: string;
  /** Where daemon lines go (stdout by default). */
  echo?: (line: string) => void;
  snmp?: SnmpSessionFactory;
}

const noSnmp: SnmpSessionFactory = {
  open() {
    throw new Error('SNMP is not available in this server');
  },
};

/** A running WalT server: store, plugins, services and the HTTP API. */
export class WaltServer {
  readonly container: DependencyContainer;
  readonly router = new Router();
  readonly plugins: PluginHost;
  private readonly api: HttpApi;
  private readonly stopHooks: Array<() => void | Promise<void>> = [];
  port = 0;

  private constructor(
    readonly config: ServerConfig,
    private readonly options: ServerStartOptions,
  ) {
    mkdirSync(config.dataDir, { recursive: true });
    this.container = buildContainer(config, { echo: options.echo });
    this.container.registerInstance(TOKENS.Router, this.router);
    const logs = this.logs;
    this.plugins = new PluginHost({
      resolveFrom: [pluginsDir(config.dataDir), ...(options.resolveFrom ? [options.resolveFrom] : []), process.cwd()],
      timeoutMs: config.pluginTimeoutMs,
      dataDir: config.dataDir,
      snmp: options.snmp ?? noSnmp,
      log: (plugin, level, message) => {
        if (level === 'debug') return;
        logs.platform(`plugins`, `${plugin}: ${message}`, { error: level === 'error' });
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

    const sources: PluginSource[] = [
      ...(this.options.builtins ?? []).map((spec) => ({ spec, origin: 'builtin' as const })),
      ...this.config.plugins.map((p) => ({ spec: p.name, origin: 'config' as const, settings: p.settings, enabled: p.enabled })),
      ...installedPlugins(this.config.dataDir)
        .filter((name) => !this.config.plugins.some((p) => p.name === name))
        .map((spec) => ({ spec, origin: 'installed' as const })),
    ];
    const results = await this.plugins.loadAll(sources);
    for (const line of reportLines(results)) {
      this.logs.platform('plugins', line, { error: line.includes(' FAILED ') });
    }

    registerSystemRoutes(this.router, this.plugins);
    registerDeviceRoutes(this.router, this.devices);

    const hosts = [this.config.api.host];
    if (this.config.network.waltNet.rawDevice && waltNetIp !== this.config.api.host) hosts.push(waltNetIp);
    try {
      this.port = await this.api.listen(hosts, this.config.api.port);
    } catch (e) {
      if (hosts.length === 1) throw e;
      // The walt-net address may not be configured yet: serve on the main address and say so.
      this.logs.platform('api', `cannot listen on walt-net address ${waltNetIp} (${(e as Error).message}); API on ${hosts[0]} only`, { error: true });
      this.port = await this.api.listen([hosts[0]], this.config.api.port);
    }
    await this.plugins.ready((plugin, error) => this.logs.platform('plugins', `plugin ${plugin} FAILED in onReady: ${error}`, { error: true }));
    this.logs.platform('daemon', `walt-server ready, API on ${hosts[0]}:${this.port}, data in ${this.config.dataDir}`);
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
    this.container.resolve<Db>(TOKENS.Db).close();
  }
}
