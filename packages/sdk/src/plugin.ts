import { SDK_API_VERSION, SDK_VERSION } from './api-version.js';
import type { PluginContext } from './context.js';
import type { ContributeCalls, ExtensionPointTable, StandardExtensionPoints } from './extension-points.js';
import { checkSettingsSchema, type SettingsSchema } from './settings-schema.js';

/** A help topic a plugin ships (`walt help show <name>`), e.g. how to install a node of its model. */
export interface HelpTopic {
  name: string;
  title: string;
  markdown: string;
}

/** What `register` gets besides the contribution calls: its context and lifecycle hooks. */
export interface PluginApiBase<S = Record<string, unknown>> {
  readonly context: PluginContext<S>;
  /** API version of the host, for feature detection. */
  readonly apiVersion: number;
  /** Called once every plugin is registered and the server is serving. */
  onReady(hook: () => void | Promise<void>): void;
  /** Called when the server stops. */
  onShutdown(hook: () => void | Promise<void>): void;
}

/**
 * What `register` gets: the plugin's context, lifecycle hooks, and one call per extension point of
 * EXTENSION_POINTS (nodeModel, switchDriver, bootProtocol, helpTopic, and virtualNodes, which runs
 * virtual nodes: qemu VMs, or anything else that boots a WalT image).
 */
export type PluginApi<S = Record<string, unknown>, Table extends ExtensionPointTable = StandardExtensionPoints> = PluginApiBase<S> & ContributeCalls<Table>;

export interface PluginDefinition<S = Record<string, unknown>, Table extends ExtensionPointTable = StandardExtensionPoints> {
  /** Must equal the package name. */
  name: string;
  /** Must equal the package version. */
  version: string;
  /** The plugin API version this plugin was written for (default: the SDK's). */
  apiVersion?: number;
  /** Plugin-wide settings, read from the server config (`plugins: [{name, settings}]`). */
  settings?: SettingsSchema;
  register(api: PluginApi<S, Table>): void | Promise<void>;
}

/** A plugin as the host receives it: the definition, tagged by the SDK that made it. */
export interface WaltPlugin<S = Record<string, unknown>, Table extends ExtensionPointTable = StandardExtensionPoints> extends PluginDefinition<S, Table> {
  readonly apiVersion: number;
  readonly sdkVersion: string;
  readonly [WALT_PLUGIN]: true;
}

export const WALT_PLUGIN: unique symbol = Symbol.for('walt.plugin');

const PLUGIN_NAME = /^(@walt\/plugin-[a-z0-9][a-z0-9-]*|(@[a-z0-9][a-z0-9._-]*\/)?walt-plugin-[a-z0-9][a-z0-9-]*)$/;

/** Is this a valid plugin package name (`@walt/plugin-*`, `walt-plugin-*`, `@scope/walt-plugin-*`)? */
export function isPluginName(name: string): boolean {
  return PLUGIN_NAME.test(name);
}

/** Define a plugin: the default export of a plugin package. Checks the definition's shape at once. */
export function definePlugin<S = Record<string, unknown>, Table extends ExtensionPointTable = StandardExtensionPoints>(
  definition: PluginDefinition<S, Table>,
): WaltPlugin<S, Table> {
  if (typeof definition !== 'object' || definition === null) throw new TypeError('definePlugin: expected an object');
  if (typeof definition.name !== 'string' || !isPluginName(definition.name)) {
    throw new TypeError(
      `definePlugin: invalid name ${JSON.stringify(definition.name)} (expected @walt/plugin-*, walt-plugin-* or @scope/walt-plugin-*)`,
    );
  }
  if (typeof definition.version !== 'string' || !/^\d+\.\d+\.\d+/.test(definition.version)) {
    throw new TypeError(`definePlugin(${definition.name}): version must be a semver string`);
  }
  if (typeof definition.register !== 'function') {
    throw new TypeError(`definePlugin(${definition.name}): register must be a function`);
  }
  if (definition.apiVersion !== undefined && (!Number.isSafeInteger(definition.apiVersion) || definition.apiVersion < 1)) {
    throw new TypeError(`definePlugin(${definition.name}): apiVersion must be a positive integer (this SDK speaks ${SDK_API_VERSION})`);
  }
  if (definition.settings !== undefined) checkSettingsSchema(definition.settings, `definePlugin(${definition.name}): settings`);
  return Object.freeze({
    ...definition,
    apiVersion: definition.apiVersion ?? SDK_API_VERSION,
    sdkVersion: SDK_VERSION,
    [WALT_PLUGIN]: true as const,
  });
}

const TOPIC_NAME = /^[a-z0-9][a-z0-9-]*$/;

/** Check a help topic's shape (the host runs this on every api.helpTopic() call). Returns a frozen copy. */
export function defineHelpTopic(topic: HelpTopic): HelpTopic {
  if (typeof topic !== 'object' || topic === null) throw new TypeError('defineHelpTopic: expected an object');
  if (typeof topic.name !== 'string' || !TOPIC_NAME.test(topic.name)) {
    throw new TypeError(`defineHelpTopic: invalid name ${JSON.stringify(topic.name)} (lowercase letters, digits and '-')`);
  }
  if (typeof topic.title !== 'string' || !topic.title.trim()) throw new TypeError(`defineHelpTopic(${topic.name}): title is required`);
  if (typeof topic.markdown !== 'string' || !topic.markdown.trim()) throw new TypeError(`defineHelpTopic(${topic.name}): markdown is required`);
  return Object.freeze({ ...topic });
}

/** Does this value look like what definePlugin returns (from any copy of the SDK)? */
export function isWaltPlugin(value: unknown): value is WaltPlugin {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[WALT_PLUGIN] === true;
}
