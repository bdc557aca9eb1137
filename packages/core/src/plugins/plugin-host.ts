import { existsSync, mkdirSync, realpathSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  EXTENSION_POINTS,
  SDK_VERSION,
  contributionKeys,
  emptyContributions,
  isWaltPlugin,
  registerPlugin,
  type ExtensionPointTable,
  type PluginContext,
  type PluginLogger,
  type SnmpSessionFactory,
  type StandardExtensionPoints,
  type WaltPlugin,
} from '@walt/sdk';
import { ExtensionRegistry, type PluginContributions } from './extension-registry.js';
import { IsolatedPlugin } from './isolated-plugin.js';
import { locatePackage } from './package-locator.js';
import { createPluginCache } from './plugin-cache.js';
import { readPluginManifest, type PluginManifest } from './plugin-manifest.js';
import { isFailureLine, noContributions, reportLine, reportLines, type PluginLoadResult } from './plugin-report.js';
import type { PluginSource } from './plugin-sources.js';

export type { PluginSource } from './plugin-sources.js';

export interface PluginHostOptions<Table extends ExtensionPointTable = StandardExtensionPoints> {
  /** The extension points plugins may contribute to (the SDK's table unless a test declares more). */
  points?: Table;
  /** Per-plugin limit, in ms, for import + register() and for each lifecycle hook (config key plugin-timeout). */
  timeoutMs: number;
  dataDir: string;
  snmp: SnmpSessionFactory;
  /** Where plugin loggers write (platform log, stream platform.plugins). */
  log: (plugin: string, level: keyof PluginLogger, message: string) => void;
  /** Where the host's report lines go (platform log, stream platform.plugins). */
  report?: (line: string, isError: boolean) => void;
  /** Called when the results change: after loading, and when a plugin fails at run time. */
  onChange?: (results: readonly PluginLoadResult[]) => void;
  /**
   * Run third-party plugins (not built-ins, not those the config marks in-process) each in its own
   * process. Only with the SDK's extension points, which that process knows.
   */
  isolateThirdParty?: boolean;
  /** Limit of one call into an isolated plugin, in ms (config key plugin-call-timeout; default 30 s). */
  callTimeoutMs?: number;
}

/** A plugin that loaded: its definition and lifecycle hooks. */
interface LoadedPlugin {
  plugin: WaltPlugin;
  /** The package folder, as found and as resolved (stack traces name the real path). */
  paths: string[];
  result: PluginLoadResult;
  ready: Array<() => void | Promise<void>>;
  shutdown: Array<() => void | Promise<void>>;
  /** Its process, when it runs out of the server's. */
  process?: IsolatedPlugin;
}

/** How long a plugin's process may take to start Node (a busy machine), before its load is timed. */
const PROCESS_START_TIMEOUT_MS = 30_000;
/** Plugin processes started ahead of their load at most: one per core (each is a Node.js process starting). */
const MAX_PROCESSES_AHEAD = Math.min(8, Math.max(1, availableParallelism()));

/** A built-in plugin failed: the server must not start (fail fast, as Fastify does for its plugins). */
export class PluginLoadError extends Error {
  override name = 'PluginLoadError';
}

/**
 * Discovers, checks, loads and isolates plugins. A plugin's contributions are registered all at
 * once, only after its register() finished in time, without error and without conflicts, so a
 * failing plugin leaves nothing behind. Built-ins fail fast; the others are reported and skipped
 * (Backstage's per-plugin boot-failure policy), and a plugin that fails at run time is withdrawn.
 */
export class PluginHost<Table extends ExtensionPointTable = StandardExtensionPoints> {
  /** Created with the host and never replaced: services hold it from the start. */
  readonly registry: ExtensionRegistry<Table>;
  readonly results: PluginLoadResult[] = [];
  private readonly loaded = new Map<string, LoadedPlugin>();
  /** Plugin processes started ahead, in parallel, while plugins load one after another. */
  private spares: IsolatedPlugin[] = [];

  constructor(private readonly options: PluginHostOptions<Table>) {
    this.registry = new ExtensionRegistry<Table>(options.points ?? (EXTENSION_POINTS as unknown as Table));
  }

  /**
   * Load every source in order. Throws PluginLoadError when a built-in fails (unless failFast is
   * false, for a dry run); any other failure is recorded in the results.
   */
  async loadAll(sources: readonly PluginSource[], { failFast = true }: { failFast?: boolean } = {}): Promise<PluginLoadResult[]> {
    // Node starts in each plugin process at once; the loads (and their order) stay sequential.
    const wanted = sources.filter((s) => s.enabled !== false && this.isolated(s)).length;
    for (let i = 0; i < Math.min(wanted, MAX_PROCESSES_AHEAD); i++) this.spares.push(this.newProcess());
    try {
      for (const source of sources) {
        const result = await this.load(source);
        this.results.push(result);
        if (failFast && result.status === 'failed' && source.origin === 'builtin') {
          throw new PluginLoadError(`built-in plugin ${result.name} failed to load: ${result.error}`);
        }
      }
      this.warnAboutMissingBootProtocols();
    } finally {
      // Processes started for plugins refused before their load (manifest checks) are not needed.
      for (const spare of this.spares.splice(0)) spare.kill();
      for (const line of reportLines(this.results)) this.options.report?.(line, isFailureLine(line));
      this.options.onChange?.(this.results);
    }
    return this.results;
  }

  private async load(source: PluginSource): Promise<PluginLoadResult> {
    const started = performance.now();
    const result: PluginLoadResult = {
      name: source.spec,
      version: null,
      origin: source.origin,
      spec: source.spec,
      dir: null,
      status: 'failed',
      failedAt: 'load',
      contributes: noContributions(this.registry.points),
      warnings: [],
      loadMs: 0,
    };
    const done = (patch: Partial<PluginLoadResult>) => Object.assign(result, patch, { loadMs: Math.round(performance.now() - started) });
    if (source.enabled === false) return done({ status: 'disabled', failedAt: undefined });

    const dir = locatePackage(source.spec, source.resolveFrom);
    if (!dir) return done({ error: notFoundMessage(source) });
    result.dir = dir;
    const check = readPluginManifest(dir, { devFolder: source.origin === 'dev' });
    if (check.name) result.name = check.name;
    result.version = check.version;
    const manifest = check.manifest;
    if (!manifest) return done({ error: check.problems.join('; ') });
    const twin = this.loaded.get(manifest.name);
    if (twin) return done({ error: `another copy is already loaded (${twin.result.origin}, from ${twin.result.dir}); remove one of them` });

    if (source.origin === 'dev' && existsSync(join(dir, 'node_modules', '@walt', 'sdk'))) {
      // Accepted in a working folder only: a packed plugin always runs against the server's own SDK.
      result.warnings.push(`working folder: imports its own @walt/sdk from ${join(dir, 'node_modules')}, not the server's (${SDK_VERSION})`);
    }
    if (this.isolated(source)) {
      try {
        const { contributions, loaded } = await this.runIsolated(manifest, source, result);
        this.registry.add(manifest.name, contributions);
        this.loaded.set(manifest.name, loaded);
        return done({ status: 'loaded', failedAt: undefined, contributes: contributionKeys(contributions, this.registry.points) });
      } catch (e) {
        return done({ error: oneLine(e) });
      }
    }
    const session = { open: true };
    try {
      const attempt = this.run(manifest, source, session, result);
      const { contributions, loaded } = await withTimeout(
        attempt,
        this.options.timeoutMs,
        `did not finish loading within ${this.options.timeoutMs} ms (its module or register() never resolved; the limit is the config key plugin-timeout)`,
      );
      this.registry.add(manifest.name, contributions);
      this.loaded.set(manifest.name, loaded);
      return done({
        status: 'loaded',
        failedAt: undefined,
        contributes: contributionKeys(contributions, this.registry.points),
      });
    } catch (e) {
      return done({ error: oneLine(e) });
    } finally {
      // Whatever happens, a plugin cannot contribute once its load is decided (e.g. after a timeout).
      session.open = false;
    }
  }

  private async run(
    manifest: PluginManifest,
    source: PluginSource,
    session: { open: boolean },
    result: PluginLoadResult,
  ): Promise<{ contributions: PluginContributions<Table>; loaded: LoadedPlugin }> {
    const plugin = await importPlugin(manifest);
    const dataDir = join(this.options.dataDir, 'plugin-data', plugin.name.replace('/', '__'));
    const log = (level: keyof PluginLogger) => (message: string) => this.options.log(plugin.name, level, oneLineText(String(message)));
    const registration = await registerPlugin(plugin, {
      points: this.registry.points,
      expected: { name: manifest.name, version: manifest.version },
      settings: source.settings ?? {},
      settingsSource: source.declaredIn,
      context: (settings): PluginContext => {
        mkdirSync(dataDir, { recursive: true });
        return {
          name: plugin.name,
          settings: Object.freeze(settings),
          logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
          cache: createPluginCache(),
          snmp: this.options.snmp,
          dataDir,
        };
      },
      conflicts: (contributions) => this.registry.conflicts(plugin.name, contributions),
      isOpen: () => session.open,
      lateCall: (call) => this.options.log(plugin.name, 'warn', `api.${call}() called after its load was over: ignored`),
    });
    const loaded: LoadedPlugin = {
      plugin,
      result,
      paths: packagePaths(manifest.dir),
      ready: registration.readyHooks,
      shutdown: registration.shutdownHooks,
    };
    return { contributions: registration.contributions, loaded };
  }

  private newProcess(): IsolatedPlugin {
    return new IsolatedPlugin({ callTimeoutMs: this.options.callTimeoutMs ?? 30_000, snmp: this.options.snmp });
  }

  private isolated(source: PluginSource): boolean {
    return !!this.options.isolateThirdParty && !this.options.points && source.origin !== 'builtin' && !source.inProcess;
  }

  /**
   * Load a third-party plugin in its own process: the load timeout kills a process that never
   * answers (a loop in register()), whatever its code does; what crossed is checked again here.
   */
  private async runIsolated(
    manifest: PluginManifest,
    source: PluginSource,
    result: PluginLoadResult,
  ): Promise<{ contributions: PluginContributions<Table>; loaded: LoadedPlugin }> {
    const name = manifest.name;
    const proc = this.spares.shift() ?? this.newProcess();
    try {
      // Starting Node is the server's cost, not the plugin's: the load timeout counts from there.
      await withTimeout(proc.started(), PROCESS_START_TIMEOUT_MS, `its process did not start within ${PROCESS_START_TIMEOUT_MS} ms`);
      const registration = await withTimeout(
        proc.load({
          manifest,
          settings: source.settings ?? {},
          settingsSource: source.declaredIn,
          dataDir: join(this.options.dataDir, 'plugin-data', name.replace('/', '__')),
          log: (level, message) => this.options.log(name, level, message),
          onDeath: (reason) => this.fail(name, 'runtime', new Error(reason)),
        }),
        this.options.timeoutMs,
        `did not finish loading within ${this.options.timeoutMs} ms (its module or register() never resolved or never yielded; its process was killed; the limit is the config key plugin-timeout)`,
      );
      const contributions = emptyContributions(this.registry.points) as PluginContributions<Table>;
      const lists = contributions as Record<string, unknown[]>;
      for (const point of this.registry.points) {
        for (const value of registration.contributions[point.kind] ?? []) lists[point.kind].push(point.define(value));
      }
      const protocols = lists.bootProtocols ?? [];
      if (protocols.length) {
        const ids = protocols.map((p) => (p as { id: string }).id).join(', ');
        throw new Error(`contributes boot protocol ${ids}, whose hooks answer DHCP and TFTP synchronously and cannot run in a plugin process: ${howToTrust(source)}`);
      }
      const conflicts = this.registry.conflicts(name, contributions);
      if (conflicts.length) throw new Error(`conflict: ${conflicts.join('; ')}`);
      const loaded: LoadedPlugin = {
        plugin: { name, version: manifest.version } as WaltPlugin,
        result,
        paths: [],
        ready: registration.readyHooks,
        shutdown: registration.shutdownHooks,
        process: proc,
      };
      return { contributions, loaded };
    } catch (e) {
      proc.kill();
      throw e;
    }
  }

  /** A model is usable only if some plugin speaks its boot protocol: say so, without failing anyone. */
  private warnAboutMissingBootProtocols(): void {
    for (const { plugin, value: model } of this.registry.nodeModels()) {
      if (this.registry.bootProtocol(model.bootProtocol)) continue;
      this.loaded.get(plugin)?.result.warnings.push(`node model ${model.id} uses boot protocol '${model.bootProtocol}', which no loaded plugin provides`);
    }
  }

  /** Run the plugins' onReady hooks; a hook that throws or hangs fails its plugin, not the server. */
  async ready(): Promise<void> {
    for (const l of this.loaded.values()) {
      for (const hook of l.ready) {
        if (l.result.status !== 'loaded') break;
        try {
          await withTimeout(Promise.resolve().then(hook), this.options.timeoutMs, `onReady did not finish within ${this.options.timeoutMs} ms`);
        } catch (e) {
          this.fail(l.plugin.name, 'ready', e);
        }
      }
    }
  }

  /**
   * Isolate a plugin that failed at run time (a hook or a contribution threw): withdraw all its
   * contributions, record why, and report it. Services that call into plugin code use this.
   */
  fail(pluginName: string, phase: 'ready' | 'runtime', error: unknown): void {
    const l = this.loaded.get(pluginName);
    if (!l || l.result.status !== 'loaded') return;
    this.registry.remove(pluginName, (e) => this.options.log(pluginName, 'error', `withdrawing its contributions failed: ${oneLine(e)}`));
    l.process?.kill();
    Object.assign(l.result, { status: 'failed', failedAt: phase, error: oneLine(error) });
    this.options.report?.(reportLine(l.result), true);
    this.options.onChange?.(this.results);
  }

  /**
   * An error nobody caught (a plugin's timer or promise): if a plugin's code raised it, isolate that
   * plugin and return true; otherwise return false (a server bug: the caller decides).
   */
  handleUncaught(error: unknown): boolean {
    const stack = error instanceof Error ? (error.stack ?? '') : '';
    for (const l of this.loaded.values()) {
      if (l.paths.some((p) => stack.includes(p))) {
        this.fail(l.plugin.name, 'runtime', error);
        return true;
      }
    }
    return false;
  }

  /** Run onShutdown hooks, last loaded first; failures are ignored (the server is stopping anyway). */
  async shutdown(): Promise<void> {
    for (const l of [...this.loaded.values()].reverse()) {
      for (const hook of l.shutdown) {
        try {
          await withTimeout(Promise.resolve().then(hook), this.options.timeoutMs, 'onShutdown timed out');
        } catch {
          /* keep stopping */
        }
      }
    }
    this.close();
  }

  /** End the plugins' processes (after a dry run, or once stopped). */
  close(): void {
    for (const l of this.loaded.values()) l.process?.kill();
  }

  /** The process ids of the isolated plugins that run, by plugin name (tests, diagnostics). */
  processes(): Record<string, number | undefined> {
    return Object.fromEntries([...this.loaded.values()].filter((l) => l.process && l.result.status === 'loaded').map((l) => [l.plugin.name, l.process!.pid]));
  }
}

/** Import the entry point and check its default export, with messages that say what to fix. */
async function importPlugin(manifest: PluginManifest): Promise<WaltPlugin> {
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(manifest.entry).href)) as { default?: unknown };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const rel = relative(manifest.dir, manifest.entry);
    if (err.code === 'ERR_MODULE_NOT_FOUND' && /['"]@walt\/sdk['"]/.test(err.message)) {
      throw new Error(`cannot resolve @walt/sdk from ${manifest.dir} (install it with 'walt-server plugins add ${manifest.dir}', which links the server's SDK)`);
    }
    throw new Error(`cannot import ${rel}: ${oneLine(err)}`);
  }
  const plugin = mod.default;
  if (!isWaltPlugin(plugin)) throw new Error('its default export is not a plugin (export default definePlugin({...}) from @walt/sdk)');
  return plugin;
}

function packagePaths(dir: string): string[] {
  const paths = new Set([dir, pathToFileURL(dir).href]);
  try {
    const real = realpathSync(dir);
    paths.add(real).add(pathToFileURL(real).href);
  } catch {
    /* keep the path as found */
  }
  return [...paths].map((p) => (p.endsWith('/') ? p : `${p}/`));
}

/** How an administrator lets a third-party plugin run inside the server, by where it comes from. */
function howToTrust(source: PluginSource): string {
  switch (source.origin) {
    case 'installed':
      return `trust it to run inside the server with 'walt-server plugins add --in-process ${source.spec}', or 'in-process: true' in a config entry naming it`;
    case 'dev':
      return "trust it to run inside the server with 'walt-server start --in-process'";
    default:
      return "trust it to run inside the server with 'in-process: true' in its entry of the config's plugins list";
  }
}

function notFoundMessage(source: PluginSource): string {
  switch (source.origin) {
    case 'builtin':
      return 'package not found (the WalT installation is incomplete: reinstall it)';
    case 'installed':
      return `listed in ${source.declaredIn} but not installed (run 'walt-server plugins add ${source.spec}' again, or remove it)`;
    case 'dev':
      return `no package.json in ${source.spec} (given to --plugin-dir: give the plugin's package folder)`;
    case 'config':
      return `package not found (named in ${source.declaredIn}; install it with 'walt-server plugins add <npm-spec>' or fix the entry)`;
  }
}

function oneLineText(text: string): string {
  return text.replace(/\s*\n\s*/g, ' | ').trim();
}

function oneLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n').map((l) => l.trim()).find(Boolean) ?? 'unknown error';
}

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
