import type { PluginCache, PluginContext, PluginLogger } from '../context.js';
import { EXTENSION_POINTS, emptyContributions, type Contributions, type ExtensionPointTable, type StandardExtensionPoints } from '../extension-points.js';
import type { PluginApi, WaltPlugin } from '../plugin.js';
import { createPluginApi, registerPlugin } from '../plugin-registration.js';
import type { SnmpSessionFactory } from '../snmp.js';

type Hook = () => void | Promise<void>;

/** What a plugin's register() contributed, as a test sees it: one list per extension point, and its hooks. */
export type TestContributions<Table extends ExtensionPointTable = StandardExtensionPoints> = Contributions<Table> & {
  readyHooks: Hook[];
  shutdownHooks: Hook[];
};

export interface TestContextOptions<S, Table extends ExtensionPointTable = StandardExtensionPoints> {
  /** The plugin's package name: register() refuses a plugin whose definePlugin name differs. */
  name?: string;
  /** Raw settings, as a server config would give them; validated against the plugin's schema by register(). */
  settings?: S;
  snmp?: SnmpSessionFactory;
  dataDir?: string;
  /** The extension points offered (the SDK's own unless a test declares more). */
  points?: Table;
}

/** A plugin context for tests, plus the API register() gets and what it contributed. */
export interface TestPluginContext<S, Table extends ExtensionPointTable = StandardExtensionPoints> extends PluginContext<S> {
  /** Log lines, as "<level>: <message>". */
  readonly lines: string[];
  /** An API to call by hand; contributions are checked like the host checks them. */
  readonly api: PluginApi<S, Table>;
  readonly contributions: TestContributions<Table>;
  /**
   * Run a plugin's register() with the plugin host's own checks (registerPlugin from @walt/sdk):
   * API version, name, settings validated against the plugin's schema (defaults applied),
   * contributions shape-checked, hooks, duplicate ids refused. Throws an Error with the same one-line
   * reason the host would report.
   */
  register(plugin: WaltPlugin<S, Table>): Promise<TestContributions<Table>>;
}

/** A context for unit-testing a plugin's register() without a server. */
export function createTestContext<S = Record<string, unknown>, Table extends ExtensionPointTable = StandardExtensionPoints>(
  options: TestContextOptions<S, Table> = {},
): TestPluginContext<S, Table> {
  const points = options.points ?? (EXTENSION_POINTS as unknown as Table);
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
      throw new Error('no SNMP factory in this test context (pass createTestContext({snmp}))');
    },
  };
  let settings = (options.settings ?? {}) as S;
  const contributions = { ...emptyContributions(points), readyHooks: [], shutdownHooks: [] } as TestContributions<Table>;
  const context: PluginContext<S> = {
    name: options.name ?? 'walt-plugin-under-test',
    logger,
    get settings() {
      return settings;
    },
    cache,
    snmp,
    dataDir: options.dataDir ?? '/tmp',
  };
  return {
    ...context,
    get settings() {
      return settings;
    },
    lines,
    api: createPluginApi(points, context, { contributions, readyHooks: contributions.readyHooks, shutdownHooks: contributions.shutdownHooks }),
    contributions,
    async register(plugin) {
      const registration = await registerPlugin<S, Table>(plugin, {
        points,
        expected: { name: options.name },
        settings: options.settings ?? {},
        context: (validated) => {
          settings = validated;
          return context;
        },
      });
      const lists = contributions as Record<string, unknown[]>;
      for (const [kind, values] of Object.entries(registration.contributions as Record<string, unknown[]>)) lists[kind].push(...values);
      contributions.readyHooks.push(...registration.readyHooks);
      contributions.shutdownHooks.push(...registration.shutdownHooks);
      return contributions;
    },
  };
}
