import { Worker } from 'node:worker_threads';
import { WaltError } from '../errors.js';
import type { SqlAnswer, SqlJob } from './sql-worker.js';

export interface SqlResult {
  columns: string[];
  rows: unknown[][];
  truncated: boolean;
}

/**
 * `walt advanced sql`: read-only queries on the server's database, each in a worker thread with its
 * own read-only connection, stopped after `timeoutMs` (a runaway recursive query cannot hold the
 * server) and cut at `maxRows` rows.
 */
export class SqlService {
  constructor(
    private readonly dbFile: string,
    private readonly options: { timeoutMs: number; maxRows: number } = { timeoutMs: 10_000, maxRows: 10_000 },
  ) {}

  query(sql: string): Promise<SqlResult> {
    if (!sql.trim()) return Promise.reject(new WaltError('invalid', 'empty SQL statement', 400));
    const job: SqlJob = { file: this.dbFile, sql, maxRows: this.options.maxRows };
    return new Promise((resolve, reject) => {
      const worker = new Worker(new URL('./sql-worker.js', import.meta.url), { workerData: job, resourceLimits: { maxOldGenerationSizeMb: 256 } });
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        fn();
      };
      const timer = setTimeout(() => {
        settle(() => reject(new WaltError('sql-timeout', `the query ran for more than ${this.options.timeoutMs / 1000} s and was stopped`, 408)));
        void worker.terminate();
      }, this.options.timeoutMs);
      worker.once('message', (a: SqlAnswer) =>
        settle(() => ('error' in a ? reject(new WaltError(a.code, a.code === 'read-only' ? a.error : `SQL error: ${a.error}`, a.code === 'read-only' ? 403 : 400)) : resolve(a))),
      );
      worker.once('error', (e) => settle(() => reject(new WaltError('sql-error', `SQL error: ${e.message}`, 400))));
      worker.once('exit', () => settle(() => reject(new WaltError('sql-error', 'the query stopped without an answer', 500))));
    });
  }
}
