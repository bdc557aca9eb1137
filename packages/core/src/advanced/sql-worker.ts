import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { readOnlyRefusal } from './read-only-sql.js';

/** What the server asks the worker (one statement) and what it answers. */
export interface SqlJob {
  file: string;
  sql: string;
  maxRows: number;
}
export type SqlAnswer = { columns: string[]; rows: unknown[][]; truncated: boolean } | { error: string; code: string };

/**
 * One statement of `walt advanced sql`, in a thread of its own (the server kills it when it runs too
 * long): a read-only connection that refuses every statement that would write.
 */
function answer(job: SqlJob): SqlAnswer {
  const db = new Database(job.file, { readonly: true, fileMustExist: true });
  try {
    db.pragma('query_only = ON');
    db.pragma('trusted_schema = OFF');
    let stmt: Database.Statement;
    try {
      stmt = db.prepare(job.sql);
    } catch (e) {
      return { code: 'sql-error', error: (e as Error).message };
    }
    const refusal = readOnlyRefusal(job.sql, stmt.readonly);
    if (refusal) return { code: 'read-only', error: refusal };
    if (!stmt.reader) {
      stmt.run();
      return { columns: [], rows: [], truncated: false };
    }
    const columns = stmt.columns().map((c) => c.name);
    const rows: unknown[][] = [];
    let truncated = false;
    for (const row of stmt.raw(true).iterate() as IterableIterator<unknown[]>) {
      if (rows.length >= job.maxRows) {
        truncated = true;
        break;
      }
      rows.push(row.map((v) => (Buffer.isBuffer(v) ? `<${v.length} bytes>` : typeof v === 'bigint' ? v.toString() : v)));
    }
    return { columns, rows, truncated };
  } catch (e) {
    return { code: 'sql-error', error: (e as Error).message };
  } finally {
    db.close();
  }
}

parentPort?.postMessage(answer(workerData as SqlJob));
