import { dirname, isAbsolute, resolve } from 'node:path';
import type { ServerConfig } from '../config/server-config.js';
import { inProcessPlugins, installedPlugins, pluginsDir } from './installed-plugins.js';
import type { PluginOrigin } from './plugin-report.js';

/** One plugin to load, and where its package may be found. */
export interface PluginSource {
  /** Package name, or an absolute folder path. */
  spec: string;
  origin: PluginOrigin;
  /** Folders whose node_modules (and their parents') may hold the package. */
  resolveFrom: string[];
  settings?: Record<string, unknown>;
  enabled?: boolean;
  /** A third-party plugin the config trusts to run inside the server's process (in-process: true). */
  inProcess?: boolean;
  /** Where the plugin is named, for messages ("plugins[2] of /etc/walt/server.conf"). */
  declaredIn: string;
}

export interface BuiltinPlugins {
  /** Package names of the plugins shipped with WalT (loaded first; they fail fast). */
  names: readonly string[];
  /** The server's install folder, where built-ins and config-named packages resolve from. */
  installDir?: string;
}

/**
 * The plugins a server loads, in order: the built-ins, the config's `plugins:` list, then the
 * packages `walt-server plugins add` installed into the data dir (those the config does not name).
 * A config entry that is a relative folder path is taken relative to the config file.
 * `devDirs` (from `walt-server start --plugin-dir`) come right after the built-ins, so a working
 * folder wins over an installed copy of the same plugin.
 */
export function pluginSources(
  config: ServerConfig,
  builtins: BuiltinPlugins,
  devDirs: readonly string[] = [],
  { devInProcess = false }: { devInProcess?: boolean } = {},
): PluginSource[] {
  const installDir = builtins.installDir ? [builtins.installDir] : [];
  const dataPlugins = pluginsDir(config.dataDir);
  const configDir = isAbsolute(config.source) ? dirname(config.source) : process.cwd();
  const configSpec = (name: string) => (name.startsWith('.') ? resolve(configDir, name) : name);
  const configured = new Set(config.plugins.map((p) => p.name));
  const trusted = inProcessPlugins(config.dataDir);
  return [
    ...builtins.names.map((spec) => ({ spec, origin: 'builtin' as const, resolveFrom: installDir, declaredIn: 'the WalT install' })),
    ...devDirs.map((dir) => ({ spec: resolve(dir), origin: 'dev' as const, resolveFrom: [], declaredIn: '--plugin-dir', inProcess: devInProcess })),
    ...config.plugins.map((p, i) => ({
      spec: configSpec(p.name),
      origin: 'config' as const,
      resolveFrom: [dataPlugins, ...installDir],
      settings: p.settings,
      enabled: p.enabled,
      inProcess: p.inProcess,
      declaredIn: `plugins[${i}] of ${config.source}`,
    })),
    ...installedPlugins(config.dataDir)
      .filter((name) => !configured.has(name))
      .map((spec) => ({
        spec,
        origin: 'installed' as const,
        resolveFrom: [dataPlugins],
        declaredIn: `${dataPlugins}/package.json`,
        inProcess: trusted.has(spec),
      })),
  ];
}
