import type { SnmpSessionFactory } from './snmp.js';

/** What a plugin may log. Lines go to the platform log, stream `platform.plugins`, prefixed with the plugin name. */
export interface PluginLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** A small per-plugin cache (bounded, with optional time to live), so plugins need no cache library. */
export interface PluginCache {
  get<V = unknown>(key: string): V | undefined;
  set(key: string, value: unknown, ttlMs?: number): void;
  delete(key: string): void;
  clear(): void;
}

/**
 * Everything a plugin gets from the host. Plugins never see the server's DI container: this is the
 * whole of their view of it.
 */
export interface PluginContext<S = Record<string, unknown>> {
  /** The plugin's name, as in its package.json. */
  readonly name: string;
  readonly logger: PluginLogger;
  /** The plugin's settings, validated against the schema it declared. */
  readonly settings: Readonly<S>;
  readonly cache: PluginCache;
  /** Opens SNMP sessions; switch drivers never open sockets themselves. */
  readonly snmp: SnmpSessionFactory;
  /** A directory the plugin may write to, kept across restarts. */
  readonly dataDir: string;
}
