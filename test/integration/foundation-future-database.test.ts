import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { runNode, startServer, WALT_SERVER_BIN } from '../helpers/walt-processes.js';

/** Upgrades go forward only: walt-server refuses a data dir a newer walt-server has migrated. */
describe('walt-server on a database from the future', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'walt-j-future-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('exits non-zero with one clear line and leaves the database as it was', async () => {
    const server = await startServer({ dataDir });
    await server.stop();
    const db = new Database(join(dataDir, 'walt.db'));
    db.prepare('INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)').run(9999, 'from-a-newer-walt', 0);
    db.close();
    const configFile = join(dataDir, 'server.conf');
    writeFileSync(configFile, 'network:\n  walt-net:\n    raw-device: null\n    ip: 192.168.152.1/24\napi:\n  port: 0\n');
    const r = await runNode(WALT_SERVER_BIN, ['start', '--config', configFile, '--data-dir', dataDir], { timeoutMs: 30_000 });
    expect(r.code).not.toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/walt\.db: the database has schema version 9999, newer than this walt-server knows/);
    const after = new Database(join(dataDir, 'walt.db'), { readonly: true });
    expect((after.prepare('SELECT max(id) AS v FROM schema_migrations').get() as { v: number }).v).toBe(9999);
    after.close();
  });

  it('under systemd the refusal reaches the journal as an error (<3>)', async () => {
    const configFile = join(dataDir, 'server.conf');
    const r = await runNode(WALT_SERVER_BIN, ['start', '--config', configFile, '--data-dir', dataDir], { timeoutMs: 30_000, env: { JOURNAL_STREAM: '8:4242' } });
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^<3>Error: .*schema version 9999/)]);
  });
});
