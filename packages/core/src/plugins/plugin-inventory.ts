import type { ServerConfig } from '../config/server-config.js';
import { locatePackage } from './package-locator.js';
import { readPluginManifest } from './plugin-manifest.js';
import type { ContributionIds, PluginLoadResult, PluginOrigin } from './plugin-report.js';
import { pluginSources, type BuiltinPlugins } from './plugin-sources.js';
import { isStateLive, readPluginState } from './plugin-state.js';

/** One plugin as `walt-server plugins list` shows it. */
export interface PluginInventoryEntry {
  name: string;
  version: string | null;
  origin: PluginOrigin;
  spec: string;
  dir: string | null;
  declaredIn: string;
  /** What the files on disk say, without running the plugin. */
  check: 'ok' | 'invalid' | 'missing' | 'disabled';
  problems: string[];
  /** What the running server says (null when no server runs on this data dir). */
  state: PluginLoadResult['status'] | null;
  /** The outcome at the last server start (null if the server never loaded it). */
  lastStart: { status: PluginLoadResult['status']; error?: string; failedAt?: PluginLoadResult['failedAt']; at: string } | null;
  contributes: ContributionIds | null;
}

export interface PluginInventory {
  /** The server that last used this data dir, when it is still running. */
  server: { running: boolean; pid: number; startedAt: string } | null;
  plugins: PluginInventoryEntry[];
}

/**
 * Every plugin a server with this config would load, checked on disk (manifest rules, no code run),
 * with the loaded/failed state the server recorded in the data dir, live when it still runs.
 */
export function pluginInventory(config: ServerConfig, builtins: BuiltinPlugins): PluginInventory {
  const state = readPluginState(config.dataDir);
  const live = state ? isStateLive(state) : false;
  const plugins = pluginSources(config, builtins).map((source): PluginInventoryEntry => {
    const dir = locatePackage(source.spec, source.resolveFrom) ?? null;
    const manifest = dir ? readPluginManifest(dir) : undefined;
    const name = manifest?.name ?? source.spec;
    const recorded = state?.results.find((r) => r.spec === source.spec || r.name === name);
    const check: PluginInventoryEntry['check'] =
      source.enabled === false ? 'disabled' : !dir ? 'missing' : manifest?.manifest ? 'ok' : 'invalid';
    return {
      name,
      version: manifest?.version ?? null,
      origin: source.origin,
      spec: source.spec,
      dir,
      declaredIn: source.declaredIn,
      check,
      problems: !dir && check === 'missing' ? ['package not found'] : (manifest?.problems ?? []),
      state: live && recorded ? recorded.status : null,
      lastStart: recorded ? { status: recorded.status, error: recorded.error, failedAt: recorded.failedAt, at: state!.updatedAt } : null,
      contributes: recorded?.status === 'loaded' ? recorded.contributes : null,
    };
  });
  // Working folders given to the running server with --plugin-dir are not in the config: its report names them.
  const devPlugins = live ? state!.results.filter((r) => r.origin === 'dev').map((r): PluginInventoryEntry => devEntry(r, state!.updatedAt)) : [];
  const builtinCount = plugins.filter((p) => p.origin === 'builtin').length;
  plugins.splice(builtinCount, 0, ...devPlugins);
  return { server: state ? { running: live, pid: state.pid, startedAt: state.startedAt } : null, plugins };
}

function devEntry(r: PluginLoadResult, at: string): PluginInventoryEntry {
  return {
    name: r.name,
    version: r.version,
    origin: 'dev',
    spec: r.spec,
    dir: r.dir,
    declaredIn: '--plugin-dir of the running server',
    check: r.status === 'failed' && r.failedAt === 'load' ? 'invalid' : 'ok',
    problems: r.error && r.failedAt === 'load' ? [r.error] : [],
    state: r.status,
    lastStart: { status: r.status, error: r.error, failedAt: r.failedAt, at },
    contributes: r.status === 'loaded' ? r.contributes : null,
  };
}
