import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PluginLoadResult } from './plugin-report.js';

/**
 * The last plugin report of a server, kept in its data dir so `walt-server plugins list` can show
 * what loaded and what failed without reaching the server (which may not be running).
 */
export interface PluginState {
  pid: number;
  startedAt: string;
  updatedAt: string;
  /** Set when the server stopped cleanly. */
  stoppedAt?: string;
  results: PluginLoadResult[];
}

export function pluginStateFile(dataDir: string): string {
  return join(dataDir, 'plugin-state.json');
}

/** Write atomically (temp file, then rename), so a reader never sees half a file. */
export function writePluginState(dataDir: string, state: PluginState): void {
  const file = pluginStateFile(dataDir);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n');
  renameSync(tmp, file);
}

/** The last state, or undefined when there is none (never started) or it is unreadable. */
export function readPluginState(dataDir: string): PluginState | undefined {
  try {
    const state = JSON.parse(readFileSync(pluginStateFile(dataDir), 'utf8')) as PluginState;
    return Array.isArray(state.results) ? state : undefined;
  } catch {
    return undefined;
  }
}

/** Is the server that wrote this state still running? */
export function isStateLive(state: PluginState): boolean {
  if (state.stoppedAt) return false;
  try {
    process.kill(state.pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
