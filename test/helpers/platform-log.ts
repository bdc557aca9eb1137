import { join } from 'node:path';
import Database from 'better-sqlite3';

/** The lines of one platform log stream (e.g. `platform.devices`), read from a server's database, oldest first. */
export function platformLines(dataDir: string, stream = 'platform.devices'): string[] {
  const db = new Database(join(dataDir, 'walt.db'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT l.line FROM logs l JOIN logstreams s ON s.id = l.stream_id WHERE s.name = ? ORDER BY l.rowid').all(stream) as { line: string }[]).map((r) => r.line);
  } finally {
    db.close();
  }
}
