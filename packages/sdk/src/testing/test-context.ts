import type { PluginCache, PluginContext, PluginLogger } from '../context.js';
import type { SnmpSessionFactory } from '../snmp.js';

/** A context for unit-testing a plugin's register() without a server. Log lines are kept in `lines`. */
export function createTestContext<S = Record<string, unknown>>(
  options: { name?: string; settings?: S; snmp?: SnmpSessionFactory; dataDir?: string } = {},
): PluginContext<S> & { lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (m: string) => void lines.push(`${level}: ${m}`);
  const logger: PluginLogger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
  const store = new Map<string, unknown>();
  const cache: PluginCache = {
    get: <V>(k: string) => store.get(k) as V | undefined,
    set: (k, v) => void store.set(k, v),
    delete: (k) => void store.delete(k),
    clear: () => store.clear(),
  };
  const snmp: SnmpSessionFactory = options.snmp ?? {
    open() {
      throw new Error('no SNMP factory in this test context');
    },
  };
  return {
    name: options.name ?? 'walt-plugin-under-test',
    logger,
    settings: (options.settings ?? {}) as S,
    cache,
    snmp,
    dataDir: options.dataDir ?? '/tmp',
    lines,
  };
}
