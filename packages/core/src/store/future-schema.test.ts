import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { FutureSchemaError, openDatabase } from './database.js';
import { MIGRATIONS } from './migrations.js';

describe('a database from a newer walt-server', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  function databaseFromTheFuture(): { file: string; futureId: number } {
    const dir = mkdtempSync(join(tmpdir(), 'walt-j-schema-'));
    dirs.push(dir);
    const file = join(dir, 'walt.db');
    openDatabase(file).close();
    const futureId = Math.max(...MIGRATIONS.map((m) => m.id)) + 1;
    const db = new Database(file);
    db.prepare('INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)').run(futureId, 'from-the-future', 0);
    db.close();
    return { file, futureId };
  }

  it('is refused with one line naming both versions and the file', () => {
    const { file, futureId } = databaseFromTheFuture();
    let error: unknown;
    try {
      openDatabase(file).close();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FutureSchemaError);
    const message = (error as Error).message;
    expect(message.split('\n')).toHaveLength(1);
    expect(message).toContain(file);
    expect(message).toContain(`schema version ${futureId}`);
    expect(message).toContain(`(${futureId - 1})`);
  });

  it('changes nothing in the refused database', () => {
    const { file } = databaseFromTheFuture();
    const dump = () => {
      const db = new Database(file, { readonly: true });
      try {
        return JSON.stringify(db.prepare('SELECT id, name, applied_at FROM schema_migrations ORDER BY id').all());
      } finally {
        db.close();
      }
    };
    const before = dump();
    // A newer migration the refused server would otherwise apply.
    expect(() => openDatabase(file, [...MIGRATIONS, { id: 10_000, name: 'x', sql: 'CREATE TABLE x (a)' }])).toThrow(FutureSchemaError);
    expect(dump()).toBe(before);
  });

  it('a database at the same or an older version opens and migrates forward', () => {
    const dir = mkdtempSync(join(tmpdir(), 'walt-j-schema-'));
    dirs.push(dir);
    const file = join(dir, 'walt.db');
    openDatabase(file, MIGRATIONS.slice(0, 2)).close();
    const db = openDatabase(file);
    expect((db.prepare('SELECT count(*) AS n FROM schema_migrations').get() as { n: number }).n).toBe(MIGRATIONS.length);
    db.close();
  });
});
