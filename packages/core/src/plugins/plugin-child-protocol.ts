import type { PluginLogger } from '@walt/sdk';

/** What the server asks a plugin's process to load (the first message it sends). */
export interface LoadRequest {
  t: 'load';
  /** The entry point's absolute path, the package folder, and the entry as messages show it. */
  entry: string;
  dir: string;
  entryShown: string;
  name: string;
  version: string;
  settings: Record<string, unknown>;
  settingsSource: string;
  dataDir: string;
  callTimeoutMs: number;
  /** A remote function: (target, method, args) runs an SNMP request in the server. */
  snmp: unknown;
}

/** Messages a plugin's process sends besides calls and results. */
export type ChildMessage =
  | { t: 'hello' }
  | { t: 'loaded'; registration: unknown }
  | { t: 'load-failed'; error: string }
  | { t: 'log'; level: keyof PluginLogger; message: string }
  | { t: 'uncaught'; message: string }
  | { t: 'pong'; id: number };
