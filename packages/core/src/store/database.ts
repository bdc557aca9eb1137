import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS, type Migration } from './migrations.js';

export type Db = Database.Database;

/**
 * Open the store: SQLite in WAL mode with synchronous=FULL, so a committed write (and so anything
 * the server acknowledged) survives a crash of the process or of the machine.
 */
export function openDatabase(file: string, migrations: readonly Migration[] = MIGRATIONS): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db, migrations);
  } catch (e) {
    db.close();
    if (e instanceof FutureSchemaError) e.message = `${file}: ${e.message}`;
    throw e;
  }
  return db;
}

/**
 * The database was migrated by a newer walt-server (it holds migrations this one does not know):
 * running on it could corrupt data the newer version relies on, so the server refuses to start.
 */
export class FutureSchemaError extends Error {
  constructor(
    readonly databaseVersion: number,
    readonly knownVersion: number,
  ) {
    super(
      `the database has schema version ${databaseVersion}, newer than this walt-server knows (${knownVersion}); it was written by a newer WalT: install that version again (or restore a backup of the data dir)`,
    );
    this.name = 'FutureSchemaError';
  }
}

/** Apply the migrations not yet applied, each in its own transaction. Returns the schema version. */
export function migrate(db: Db, migrations: readonly Migration[]): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at REAL NOT NULL)');
  const applied = new Set((db.prepare('SELECT id FROM schema_migrations').all() as { id: number }[]).map((r) => r.id));
  const ordered = [...migrations].sort((a, b) => a.id - b.id);
  for (let i = 1; i < ordered.length; i++) {
    if (ordered[i].id === ordered[i - 1].id) throw new Error(`duplicate migration id ${ordered[i].id}`);
  }
  const known = new Set(ordered.map((m) => m.id));
  const lastKnown = ordered.length ? ordered[ordered.length - 1].id : 0;
  const unknown = [...applied].filter((id) => !known.has(id));
  // Checked before applying anything, so a refused database is left exactly as it was.
  if (unknown.length) throw new FutureSchemaError(Math.max(...applied), lastKnown);
  const record = db.prepare('INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)');
  for (const m of ordered) {
    if (applied.has(m.id)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.id, m.name, Date.now() / 1000);
    })();
  }
  return ordered.length ? ordered[ordered.length - 1].id : 0;
}
