import type { Db } from './database.js';

/** One stored log line. `ts` is microseconds since the epoch (the original keeps microseconds too). */
export interface LogRecord {
  ts: number;
  issuerMac: string;
  stream: string;
  line: string;
}

/** Persistence of log streams and lines. Streams are created on first use. */
export class LogsRepository {
  private readonly streamIds = new Map<string, number>();
  private readonly findStream;
  private readonly insertStream;
  private readonly insertLine;

  constructor(private readonly db: Db) {
    this.findStream = db.prepare('SELECT id FROM logstreams WHERE issuer_mac = ? AND name = ?');
    this.insertStream = db.prepare('INSERT INTO logstreams (issuer_mac, name) VALUES (?, ?)');
    this.insertLine = db.prepare('INSERT INTO logs (stream_id, ts, line) VALUES (?, ?, ?)');
  }

  streamId(issuerMac: string, stream: string): number {
    const key = `${issuerMac}\u0000${stream}`;
    let id = this.streamIds.get(key);
    if (id === undefined) {
      const row = this.findStream.get(issuerMac, stream) as { id: number } | undefined;
      id = row ? row.id : Number(this.insertStream.run(issuerMac, stream).lastInsertRowid);
      this.streamIds.set(key, id);
    }
    return id;
  }

  /** Store records in one transaction (one fsync for the batch). */
  append(records: readonly LogRecord[]): void {
    this.db.transaction(() => {
      for (const r of records) this.insertLine.run(this.streamId(r.issuerMac, r.stream), r.ts, r.line);
    })();
  }

  /** Forget every cached stream id (after streams were deleted). */
  resetCache(): void {
    this.streamIds.clear();
  }
}
