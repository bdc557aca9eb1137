import type { BootProtocol } from './boot-protocol.js';
import { defineBootProtocol, defineNodeModel, defineSwitchDriver } from './define.js';
import type { NodeModel } from './node-model.js';
import { defineHelpTopic, type HelpTopic } from './plugin.js';
import type { SwitchDriver } from './switch-driver.js';
import { defineVirtualNodeProvider, type VirtualNodeProvider } from './virtual-node-provider.js';

/**
 * One kind of thing a plugin can contribute. The table of these (EXTENSION_POINTS) is the only place
 * the kinds are spelled out: the plugin API's calls, the host's checks, the registry, the report,
 * `walt-server plugins list` and the SDK test context all derive from it, so a new kind is one entry
 * plus its type (as Backstage's createExtensionPoint).
 */
export interface ExtensionPoint<Kind extends string = string, Method extends string = string, T = unknown> {
  /** The kind's key in contributions, reports and `walt-server plugins list` (e.g. nodeModels). */
  readonly kind: Kind;
  /** The PluginApi call that contributes one (e.g. nodeModel). */
  readonly method: Method;
  /** What one is called in messages (e.g. "node model"). */
  readonly noun: string;
  /** Checks a contribution's shape, with its id in the message, and returns the copy to keep. */
  readonly define: (value: T) => T;
  /** Two contributions with the same key conflict: the plugin that comes second is refused. */
  readonly key: (value: T) => string;
  /**
   * What withdrawing one does besides forgetting it (its plugin failed at run time). Without it the
   * registry just stops handing it out.
   */
  readonly withdraw?: (value: T) => void | Promise<void>;
}

/** Declare an extension point (keeps the literal kind and method names for the derived types). */
export function defineExtensionPoint<Kind extends string, Method extends string, T>(point: ExtensionPoint<Kind, Method, T>): ExtensionPoint<Kind, Method, T> {
  return Object.freeze({ ...point });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a table mixes contribution types
export type AnyExtensionPoint = ExtensionPoint<string, string, any>;
export type ExtensionPointTable = readonly AnyExtensionPoint[];

/** The contribution type of an extension point. */
export type ContributionOf<P> = P extends ExtensionPoint<string, string, infer T> ? T : never;

/** The PluginApi calls of a table: one per kind, named by its method. */
export type ContributeCalls<Table extends ExtensionPointTable> = {
  [P in Table[number] as P['method']]: (value: ContributionOf<P>) => void;
};

/** Contributions by kind (one plugin's, or what a test context collected). */
export type Contributions<Table extends ExtensionPointTable = StandardExtensionPoints> = {
  [P in Table[number] as P['kind']]: ContributionOf<P>[];
};

/** The keys (ids) of contributions by kind, as reports and `walt-server plugins list` show them. */
export type ContributionKeys<Table extends ExtensionPointTable = StandardExtensionPoints> = {
  [P in Table[number] as P['kind']]: string[];
};

const byId = (v: { id: string }) => v.id;

/** The extension points this SDK hosts, in report order. */
export const EXTENSION_POINTS = [
  defineExtensionPoint<'nodeModels', 'nodeModel', NodeModel>({ kind: 'nodeModels', method: 'nodeModel', noun: 'node model', define: defineNodeModel, key: byId }),
  defineExtensionPoint<'bootProtocols', 'bootProtocol', BootProtocol>({ kind: 'bootProtocols', method: 'bootProtocol', noun: 'boot protocol', define: defineBootProtocol, key: byId }),
  defineExtensionPoint<'switchDrivers', 'switchDriver', SwitchDriver>({ kind: 'switchDrivers', method: 'switchDriver', noun: 'switch driver', define: defineSwitchDriver, key: byId }),
  defineExtensionPoint<'helpTopics', 'helpTopic', HelpTopic>({ kind: 'helpTopics', method: 'helpTopic', noun: 'help topic', define: defineHelpTopic, key: (t) => t.name }),
  defineExtensionPoint<'virtualNodeProviders', 'virtualNodes', VirtualNodeProvider>({
    kind: 'virtualNodeProviders',
    method: 'virtualNodes',
    noun: 'virtual node provider',
    define: defineVirtualNodeProvider,
    key: byId,
  }),
] as const;

export type StandardExtensionPoints = typeof EXTENSION_POINTS;

/** No contribution of any kind of the table. */
export function emptyContributions<Table extends ExtensionPointTable = StandardExtensionPoints>(
  points: Table = EXTENSION_POINTS as unknown as Table,
): Contributions<Table> {
  return Object.fromEntries(points.map((p) => [p.kind, []])) as unknown as Contributions<Table>;
}

/** The keys of each kind's contributions (what a report lists). */
export function contributionKeys<Table extends ExtensionPointTable = StandardExtensionPoints>(
  contributions: Contributions<Table>,
  points: Table = EXTENSION_POINTS as unknown as Table,
): ContributionKeys<Table> {
  const all = contributions as Record<string, unknown[]>;
  return Object.fromEntries(points.map((p) => [p.kind, (all[p.kind] ?? []).map((v) => p.key(v))])) as unknown as ContributionKeys<Table>;
}
