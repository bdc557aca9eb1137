import { SDK_API_VERSION } from './api-version.js';
import type { PluginContext } from './context.js';
import { EXTENSION_POINTS, emptyContributions, type Contributions, type ExtensionPointTable, type StandardExtensionPoints } from './extension-points.js';
import { isWaltPlugin, type PluginApi, type WaltPlugin } from './plugin.js';
import { validateSettings } from './settings-schema.js';

type Hook = () => void | Promise<void>;

/** What a plugin's register() left behind, once every check passed. */
export interface PluginRegistration<S, Table extends ExtensionPointTable = StandardExtensionPoints> {
  contributions: Contributions<Table>;
  readyHooks: Hook[];
  shutdownHooks: Hook[];
  /** The validated settings (defaults applied). */
  settings: S;
}

export interface RegistrationOptions<S, Table extends ExtensionPointTable> {
  /** The extension points offered (EXTENSION_POINTS unless a test adds some). */
  points?: Table;
  /** What the package says the plugin is: its definePlugin must agree. */
  expected?: { name?: string; version?: string };
  /** Raw settings, as a server config gives them. */
  settings?: unknown;
  /** Where those settings were written, for the message (e.g. "plugins[2] of /etc/walt/server.conf"). */
  settingsSource?: string;
  /** The context register() sees, once the settings are validated. */
  context(settings: S): PluginContext<S>;
  /**
   * Conflicts of the contributions with what is already registered. Duplicates within the plugin
   * itself are always refused; a host passes its registry's check, which finds both.
   */
  conflicts?(contributions: Contributions<Table>): string[];
  /** False once the load is decided (e.g. after a timeout): later calls are ignored. */
  isOpen?(): boolean;
  /** Told about a call made once the load was over (the call is ignored). */
  lateCall?(call: string): void;
}

/**
 * Run a plugin's register() with the host's checks: the API version, the name and version against
 * the package, the settings against the plugin's schema, every contribution through its extension
 * point's define, the lifecycle hooks, and conflicts. The plugin host and the SDK test context both
 * use this, so a plugin refused by one is refused by the other with the same one-line reason.
 */
export async function registerPlugin<S, Table extends ExtensionPointTable = StandardExtensionPoints>(
  plugin: WaltPlugin<S, Table> | unknown,
  options: RegistrationOptions<S, Table>,
): Promise<PluginRegistration<S, Table>> {
  const points = options.points ?? (EXTENSION_POINTS as unknown as Table);
  if (!isWaltPlugin(plugin)) throw new Error('its default export is not a plugin (export default definePlugin({...}) from @walt/sdk)');
  const p = plugin as unknown as WaltPlugin<S, Table>;
  if (options.expected?.name !== undefined && p.name !== options.expected.name) throw new Error(`definePlugin name '${p.name}' differs from the package name`);
  if (options.expected?.version !== undefined && p.version !== options.expected.version) {
    throw new Error(`definePlugin version ${p.version} differs from package.json version ${options.expected.version}`);
  }
  if (p.apiVersion !== SDK_API_VERSION) {
    throw new Error(`definePlugin declares plugin API version ${p.apiVersion}, this server speaks version ${SDK_API_VERSION}`);
  }
  const checked = validateSettings(p.settings ?? {}, options.settings ?? {});
  if (!checked.ok) throw new Error(`invalid settings${options.settingsSource ? ` in ${options.settingsSource}` : ''}: ${checked.errors.join('; ')}`);
  const settings = checked.value as S;

  const registration: PluginRegistration<S, Table> = { contributions: emptyContributions(points), readyHooks: [], shutdownHooks: [], settings };
  const isOpen = options.isOpen ?? (() => true);
  const api = createPluginApi(points, options.context(settings), registration, { isOpen, lateCall: options.lateCall });
  try {
    await p.register(api);
  } catch (e) {
    throw new Error(`register() threw: ${firstLine(e)}`);
  }
  if (!isOpen()) throw new Error('register() finished after the load timeout');
  const conflicts = options.conflicts ? options.conflicts(registration.contributions) : duplicateKeys(points, p.name, registration.contributions);
  if (conflicts.length) throw new Error(`conflict: ${conflicts.join('; ')}`);
  return registration;
}

/**
 * The API register() receives: one call per extension point (checked by its define), and the
 * lifecycle hooks. Contributions go into `into`.
 */
export function createPluginApi<S, Table extends ExtensionPointTable>(
  points: Table,
  context: PluginContext<S>,
  into: Pick<PluginRegistration<S, Table>, 'contributions' | 'readyHooks' | 'shutdownHooks'>,
  gate: { isOpen(): boolean; lateCall?(call: string): void } = { isOpen: () => true },
): PluginApi<S, Table> {
  const collect =
    <T>(call: string, check: (v: T) => T, list: T[]) =>
    (value: T) => {
      if (!gate.isOpen()) {
        // Thrown from a plugin's timer this would crash the server: ignore it, and say so.
        gate.lateCall?.(call);
        return;
      }
      list.push(check(value));
    };
  const calls: Record<string, unknown> = {};
  const lists = into.contributions as Record<string, unknown[]>;
  for (const point of points) calls[point.method] = collect(point.method, point.define, lists[point.kind]);
  return Object.freeze({
    context,
    apiVersion: SDK_API_VERSION,
    ...calls,
    onReady: collect('onReady', checkHook, into.readyHooks),
    onShutdown: collect('onShutdown', checkHook, into.shutdownHooks),
  }) as PluginApi<S, Table>;
}

/** Contributions of one plugin that share a key (conflicts within the plugin). */
export function duplicateKeys<Table extends ExtensionPointTable>(points: Table, plugin: string, contributions: Contributions<Table>): string[] {
  const out: string[] = [];
  const lists = contributions as Record<string, unknown[]>;
  for (const point of points) {
    const seen = new Set<string>();
    for (const value of lists[point.kind] ?? []) {
      const key = point.key(value);
      if (seen.has(key)) out.push(`${point.noun} '${key}' is declared twice by ${plugin}`);
      seen.add(key);
    }
  }
  return out;
}

function checkHook(hook: Hook): Hook {
  if (typeof hook !== 'function') throw new TypeError('a lifecycle hook must be a function');
  return hook;
}

function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n').map((l) => l.trim()).find(Boolean) ?? 'unknown error';
}
