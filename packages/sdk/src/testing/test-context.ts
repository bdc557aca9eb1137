import { SDK_API_VERSION } from '../api-version.js';
import type { BootProtocol } from '../boot-protocol.js';
import type { PluginCache, PluginContext, PluginLogger } from '../context.js';
import { defineBootProtocol, defineNodeModel, defineSwitchDriver } from '../define.js';
import type { NodeModel } from '../node-model.js';
import { defineHelpTopic, isWaltPlugin, type HelpTopic, type PluginApi, type WaltPlugin } from '../plugin.js';
import { validateSettings } from '../settings-schema.js';
import type { SnmpSessionFactory } from '../snmp.js';
import type { SwitchDriver } from '../switch-driver.js';
import { defineVirtualNodeProvider, type VirtualNodeProvider } from '../virtual-node-provider.js';

/** What a plugin's register() contributed, as a test sees it. */
export interface TestContributions {
  nodeModels: NodeModel[];
  bootProtocols: BootProtocol[];
  switchDrivers: SwitchDriver[];
  helpTopics: HelpTopic[];
  virtualNodeProviders: VirtualNodeProvider[];
  readyHooks: Array<() => void | Promise<void>>;
  shutdownHooks: Array<() => void | Promise<void>>;
}

export interface TestContextOptions<S> {
  name?: string;
  /** Raw settings, as a server config would give them; validated against the plugin's schema by register(). */
  settings?: S;
  snmp?: SnmpSessionFactory;
  dataDir?: string;
}

/** A plugin context for tests, plus the API register() gets and what it contributed. */
export interface TestPluginContext<S> extends PluginContext<S> {
  /** Log lines, as "<level>: <message>". */
  readonly lines: string[];
  /** The API a plugin's register() receives; contributions are checked like the host checks them. */
  readonly api: PluginApi<S>;
  readonly contributions: TestContributions;
  /**
   * Run a plugin's register() the way the host does: API version check, settings validated against
   * the plugin's schema (defaults applied), contributions shape-checked, duplicate ids refused.
   * Throws an Error with the same one-line reasons the host would report.
   */
  register(plugin: WaltPlugin<S>): Promise<TestContributions>;
}

/** A context for unit-testing a plugin's register() without a server. */
export function createTestContext<S = Record<string, unknown>>(options: TestContextOptions<S> = {}): TestPluginContext<S> {
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
  const contributions: TestContributions = { nodeModels: [], bootProtocols: [], switchDrivers: [], helpTopics: [], virtualNodeProviders: [], readyHooks: [], shutdownHooks: [] };
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
  const api: PluginApi<S> = {
    context,
    apiVersion: SDK_API_VERSION,
    nodeModel: (m) => void contributions.nodeModels.push(defineNodeModel(m)),
    bootProtocol: (p) => void contributions.bootProtocols.push(defineBootProtocol(p)),
    switchDriver: (d) => void contributions.switchDrivers.push(defineSwitchDriver(d)),
    helpTopic: (t) => void contributions.helpTopics.push(defineHelpTopic(t)),
    virtualNodes: (p) => void contributions.virtualNodeProviders.push(defineVirtualNodeProvider(p)),
    onReady: (h) => void contributions.readyHooks.push(h),
    onShutdown: (h) => void contributions.shutdownHooks.push(h),
  };
  return {
    ...context,
    get settings() {
      return settings;
    },
    lines,
    api,
    contributions,
    async register(plugin) {
      if (!isWaltPlugin(plugin)) throw new Error('not a plugin (export default definePlugin({...}))');
      if (plugin.apiVersion !== SDK_API_VERSION) {
        throw new Error(`written for plugin API version ${plugin.apiVersion}, this SDK speaks version ${SDK_API_VERSION}`);
      }
      const checked = validateSettings(plugin.settings ?? {}, options.settings ?? {});
      if (!checked.ok) throw new Error(`invalid settings: ${checked.errors.join('; ')}`);
      settings = checked.value as S;
      await plugin.register(api);
      const duplicates = duplicateIds(contributions);
      if (duplicates.length) throw new Error(`declared twice: ${duplicates.join(', ')}`);
      return contributions;
    },
  };
}

function duplicateIds(c: TestContributions): string[] {
  const out: string[] = [];
  const check = (kind: string, ids: string[]) => {
    const seen = new Set<string>();
    for (const id of ids) {
      if (seen.has(id)) out.push(`${kind} '${id}'`);
      seen.add(id);
    }
  };
  check('node model', c.nodeModels.map((m) => m.id));
  check('boot protocol', c.bootProtocols.map((p) => p.id));
  check('switch driver', c.switchDrivers.map((d) => d.id));
  check('help topic', c.helpTopics.map((t) => t.name));
  check('virtual node provider', c.virtualNodeProviders.map((p) => p.id));
  return out;
}
