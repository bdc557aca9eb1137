import type { SnmpSessionFactory } from '@walt/sdk';
import type { ServerConfig } from '../config/server-config.js';
import { PluginHost } from './plugin-host.js';
import type { PluginLoadResult } from './plugin-report.js';
import { pluginSources, type BuiltinPlugins, type PluginSource } from './plugin-sources.js';

const noSnmp: SnmpSessionFactory = {
  open() {
    throw new Error('SNMP is not available during a dry run');
  },
};

/**
 * Load every plugin a server with this config would load (register() only: no onReady, nothing
 * served) and return the results, so `walt-server plugins add` can refuse a package that would fail
 * at the next start: wrong definePlugin, register() that throws or hangs, invalid settings, conflicts.
 */
export async function dryRunLoad(config: ServerConfig, builtins: BuiltinPlugins, last?: string): Promise<PluginLoadResult[]> {
  // Third-party code runs in its own process here too: a plugin whose register() never yields or
  // exits is killed at the load timeout and refused, and `plugins add` returns.
  const host = new PluginHost({
    timeoutMs: config.pluginTimeoutMs,
    callTimeoutMs: config.pluginCallTimeoutMs,
    isolateThirdParty: true,
    dataDir: config.dataDir,
    snmp: noSnmp,
    log: () => undefined,
  });
  const sources = pluginSources(config, builtins);
  // The newcomer loads last, so a conflict refuses it rather than a plugin that was there before.
  const isLast = (s: PluginSource) => s.spec === last;
  try {
    return await host.loadAll([...sources.filter((s) => !isLast(s)), ...sources.filter(isLast)], { failFast: false });
  } finally {
    host.close();
  }
}

/** Why the named plugin would fail to load with this config, or undefined when it would load. */
export async function dryRunProblem(config: ServerConfig, builtins: BuiltinPlugins, name: string): Promise<string | undefined> {
  const result = (await dryRunLoad(config, builtins, name)).find((r) => r.name === name);
  if (!result) return 'it is not among the plugins the server would load';
  return result.status === 'failed' ? result.error : undefined;
}
