import { join } from 'node:path';
import Database from 'better-sqlite3';
import { runNode, WALT_SERVER_BIN, type RunResult } from '../../helpers/walt-processes.js';
import { authHeaders } from '../../helpers/api-token.js';

/** The minimal config of a test server, plus extra YAML. */
export const baseConfig = (extra = '') => `network:\n  walt-net:\n    raw-device: null\n    ip: 192.168.152.1/24\napi:\n  port: 0\n${extra}`;

/** GET a JSON endpoint of a running server. */
export async function getJson<T>(port: number, path: string): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers: await authHeaders(`127.0.0.1:${port}`, 'alice'), signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** The lines stored in the platform log stream platform.plugins of a data dir (read-only, while the server runs). */
export function platformPluginLines(dataDir: string): string[] {
  const db = new Database(join(dataDir, 'walt.db'), { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare(`SELECT l.line FROM logs l JOIN logstreams s ON s.id = l.stream_id WHERE s.name = 'platform.plugins' ORDER BY l.ts, l.rowid`)
      .all() as Array<{ line: string }>;
    return rows.map((r) => r.line);
  } finally {
    db.close();
  }
}

/** npm must not reach a registry in tests: everything they install is a local tarball or folder. */
export const OFFLINE_NPM = { npm_config_offline: 'true', npm_config_update_notifier: 'false' };

/** Run `walt-server <args>` (plugins list/add/remove) against a config and data dir. */
export function waltServer(args: readonly string[], where: { configFile: string; dataDir: string }, timeoutMs = 120_000): Promise<RunResult> {
  return runNode(WALT_SERVER_BIN, [...args, '--config', where.configFile, '--data-dir', where.dataDir], { env: OFFLINE_NPM, timeoutMs });
}

/** Poll until `probe` returns a value (bounded). */
export async function eventually<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
