import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  SDK_API_VERSION,
  isWaltPlugin,
  validateSettings,
  type PluginApi,
  type PluginContext,
  type PluginLogger,
  type SnmpSessionFactory,
  type WaltPlugin,
} from '@walt/sdk';
import { ExtensionRegistry, emptyContributions, type PluginContributions } from './extension-registry.js';
import { readPluginManifest, type PluginManifest } from './plugin-manifest.js';
import { locatePackage } from './package-locator.js';
import type { PluginLoadResult } from './plugin-report.js';
import { createPluginCache } from './plugin-cache.js';

export interface PluginSource {
  /** Package name or folder path. */
  spec: string;
  origin: PluginLoadResult['origin'];
  settings?: Record<string, unknown>;
  enabled?: boolean;
}

export interface PluginHostOptions {
  /** Folders to resolve package names from (the server's install, the data dir's plugins folder). */
  resolveFrom: string[];
  /** Per-plugin timeout for import + register, in ms. */
  timeoutMs: number;
  dataDir: string;
  snmp: SnmpSessionFactory;
  /** Where plugin loggers write (platform log stream platform.plugins.<name>). */
  log: (plugin: string, level: keyof PluginLogger, message: string) => void;
}

/** A plugin that loaded: its definition and lifecycle hooks. */
interface LoadedPlugin {
  plugin: WaltPlugin;
  ready: Array<() => void | Promise<void>>;
  shutdown: Array<() => void | Promise<void>>;
}

/** A plugin failure; built-in failures stop the server (fail fast), others are reported and skipped. */
export class PluginLoadError extends Error {}

/**
 * Discovers, checks, loads and isolates plugins. A plugin's contributions are registered all at once,
 * only after its register() finished in time without error and without conflicts, so a failing
 * plugin leaves nothing behind.
 */
export class PluginHost {
  readonly registry = new ExtensionRegistry();
  readonly results: PluginLoadResult[] = [];
  private readonly loaded: LoadedPlugin[] = [];

  constructor(private readonly options: PluginHostOptions) {}

  async loadAll(sources: readonly PluginSource[]): Promise<PluginLoadResult[]> {
    for (const source of sources) {
      const result = await this.load(source);
      this.results.push(result);
      if (result.status === 'failed' && source.origin === 'builtin') {
        throw new PluginLoadError(`built-in plugin ${result.name} failed to load: ${result.error}`);
      }
    }
    return this.results;
  }

  private async load(source: PluginSource): Promise<PluginLoadResult> {
    const started = performance.now();
    const result: PluginLoadResult = {
      name: source.spec,
      version: null,
      origin: source.origin,
      status: 'failed',
      contributes: { nodeModels: [], bootProtocols: [], switchDrivers: [], helpTopics: [] },
      loadMs: 0,
    };
    const done = (patch: Partial<PluginLoadResult>) => Object.assign(result, patch, { loadMs: Math.round(performance.now() - started) });
    if (source.enabled === false) return done({ status: 'disabled' });

    const dir = locatePackage(source.spec, this.options.resolveFrom);
    if (!dir) return done({ error: `package not found (install it with 'walt-server plugins add ${source.spec}')` });
    const { manifest, problems } = readPluginManifest(dir);
    if (!manifest) return done({ error: problems.join('; ') });
    result.name = manifest.name;
    result.version = manifest.version;
    if (this.results.some((r) => r.name === manifest.name && r.status === 'loaded') || this.loaded.some((l) => l.plugin.name === manifest.name)) {
      return done({ error: 'duplicate: a plugin with this name is already loaded' });
    }
    try {
      const contributions = await withTimeout(this.run(manifest, source), this.options.timeoutMs, manifest.name);
      this.registry.add(manifest.name, contributions.contributions);
      this.loaded.push(contributions.loaded);
      return done({
        status: 'loaded',
        contributes: {
          nodeModels: contributions.contributions.nodeModels.map((m) => m.id),
          bootProtocols: contributions.contributions.bootProtocols.map((p) => p.id),
          switchDrivers: contributions.contributions.switchDrivers.map((d) => d.id),
          helpTopics: contributions.contributions.helpTopics.map((t) => t.name),
        },
      });
    } catch (e) {
      return done({ error: oneLine(e) });
    }
  }

  private async run(manifest: PluginManifest, source: PluginSource): Promise<{ contributions: PluginContributions; loaded: LoadedPlugin }> {
    const mod = (await import(pathToFileURL(manifest.entry).href)) as { default?: unknown };
    const plugin = mod.default;
    if (!isWaltPlugin(plugin)) throw new Error('its default export is not a plugin (export default definePlugin({...}))');
    if (plugin.name !== manifest.name) throw new Error(`definePlugin name '${plugin.name}' differs from the package name`);
    if (plugin.version !== manifest.version) throw new Error(`definePlugin version ${plugin.version} differs from package.json ${manifest.version}`);
    if (plugin.apiVersion !== SDK_API_VERSION) throw new Error(`written for plugin API version ${plugin.apiVersion}, this server speaks version ${SDK_API_VERSION}`);
    const settings = validateSettings(plugin.settings ?? {}, source.settings ?? {});
    if (!settings.ok) throw new Error(`invalid settings: ${settings.errors.join('; ')}`);

    const contributions = emptyContributions();
    const loaded: LoadedPlugin = { plugin, ready: [], shutdown: [] };
    let open = true;
    const guard = (what: string) => {
      if (!open) throw new Error(`${plugin.name} called api.${what} after register() returned`);
    };
    const dataDir = join(this.options.dataDir, 'plugin-data', plugin.name.replace('/', '__'));
    mkdirSync(dataDir, { recursive: true });
    const log = this.options.log;
    const context: PluginContext = {
      name: plugin.name,
      settings: settings.value,
      logger: {
        debug: (m) => log(plugin.name, 'debug', m),
        info: (m) => log(plugin.name, 'info', m),
        warn: (m) => log(plugin.name, 'warn', m),
        error: (m) => log(plugin.name, 'error', m),
      },
      cache: createPluginCache(),
      snmp: this.options.snmp,
      dataDir,
    };
    const api: PluginApi = {
      context,
      apiVersion: SDK_API_VERSION,
      nodeModel: (m) => (guard('nodeModel'), contributions.nodeModels.push(m)),
      bootProtocol: (p) => (guard('bootProtocol'), contributions.bootProtocols.push(p)),
      switchDriver: (d) => (guard('switchDriver'), contributions.switchDrivers.push(d)),
      helpTopic: (t) => (guard('helpTopic'), contributions.helpTopics.push(t)),
      onReady: (h) => (guard('onReady'), loaded.ready.push(h)),
      onShutdown: (h) => (guard('onShutdown'), loaded.shutdown.push(h)),
    };
    try {
      await plugin.register(api);
    } finally {
      open = false;
    }
    const conflicts = this.registry.conflicts(plugin.name, contributions);
    if (conflicts.length) throw new Error(`conflict: ${conflicts.join('; ')}`);
    return { contributions, loaded };
  }

  /** Run the plugins' onReady hooks; a hook that throws is reported, not fatal. */
  async ready(onError: (plugin: string, error: string) => void): Promise<void> {
    for (const l of this.loaded) {
      for (const h of l.ready) {
        try {
          await withTimeout(Promise.resolve().then(h), this.options.timeoutMs, l.plugin.name);
        } catch (e) {
          onError(l.plugin.name, oneLine(e));
        }
      }
    }
  }

  async shutdown(): Promise<void> {
    for (const l of [...this.loaded].reverse()) {
      for (const h of l.shutdown) {
        try {
          await withTimeout(Promise.resolve().then(h), this.options.timeoutMs, l.plugin.name);
        } catch {
          /* shutting down anyway */
        }
      }
    }
  }
}

function oneLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0] || 'unknown error';
}

function withTimeout<T>(p: Promise<T>, ms: number, name: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms (register() never finished)`)), ms);
    timer.unref();
  });
  void name;
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
