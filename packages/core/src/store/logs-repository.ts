import type { Db } from './database.js';

/** One log line to store. `ts` is microseconds since the epoch (the original keeps microseconds too). */
export interface LogRecord {
  ts: number;
  issuerMac: string;
  stream: string;
  line: string;
}

/** A stored line: its id orders lines by commit (the realtime/history seam relies on it). */
export interface StoredLogRecord extends LogRecord {
  id: number;
  streamId: number;
}

/** A log stream: lines of one issuer under one name, created on first use. */
export interface LogStream {
  id: number;
  issuerMac: string;
  name: string;
}

/** A row of a history page, in (ts, id) order. */
export interface LogRow {
  id: number;
  ts: number;
  line: string;
}

/** Bounds of a history scan: strict time bounds (as the original), and the last id of the snapshot. */
export interface HistoryBounds {
  /** Exclusive lower bound in µs, or null. */
  after: number | null;
  /** Exclusive upper bound in µs, or null. */
  before: number | null;
  /** Highest id included (the snapshot taken when the query started). */
  maxId: number;
}

const MAX_TS = Number.MAX_SAFE_INTEGER;

/** Persistence of log streams and lines. */
/** What a stored line costs besides its text (row header, index entries), for the per-node quota. */
export const LINE_OVERHEAD_BYTES = 32;

export class LogsRepository {
  private readonly streamIds = new Map<string, number>();
  private readonly streamsById = new Map<number, LogStream>();
  private readonly findStream;
  private readonly insertStream;
  private readonly insertLine;
  private readonly maxIdStmt;
  private readonly allStreamsStmt;
  private readonly streamByIdStmt;
  private readonly pageStmt;
  private readonly countStmt;
  private readonly inTransaction: (fn: () => void) => void;

  constructor(private readonly db: Db) {
    this.findStream = db.prepare('SELECT id FROM logstreams WHERE issuer_mac = ? AND name = ?');
    this.insertStream = db.prepare('INSERT INTO logstreams (issuer_mac, name) VALUES (?, ?)');
    this.insertLine = db.prepare('INSERT INTO logs (stream_id, ts, line) VALUES (?, ?, ?)');
    this.maxIdStmt = db.prepare('SELECT max(rowid) AS id FROM logs').pluck();
    this.allStreamsStmt = db.prepare('SELECT id, issuer_mac AS issuerMac, name FROM logstreams');
    this.streamByIdStmt = db.prepare('SELECT id, issuer_mac AS issuerMac, name FROM logstreams WHERE id = ?');
    // Keyset page of one stream in (ts, id) order: served by the (stream_id, ts) index, whose
    // entries end with the rowid, so no sort and no scan of other streams.
    this.pageStmt = db.prepare(
      `SELECT rowid AS id, ts, line FROM logs
       WHERE stream_id = @stream AND ts >= @fromTs AND ts < @before AND (ts > @fromTs OR rowid > @fromId) AND rowid <= @maxId
       ORDER BY ts, rowid LIMIT @limit`,
    );
    this.inTransaction = db.transaction((fn: () => void) => fn());
    this.countStmt = db.prepare('SELECT count(*) FROM logs WHERE stream_id = ? AND ts > ? AND ts < ?').pluck();
  }

  /** The id of a stream, created on first use. */
  streamId(issuerMac: string, stream: string): number {
    const key = `${issuerMac}\u0000${stream}`;
    let id = this.streamIds.get(key);
    if (id === undefined) {
      const row = this.findStream.get(issuerMac, stream) as { id: number } | undefined;
      id = row ? row.id : Number(this.insertStream.run(issuerMac, stream).lastInsertRowid);
      this.streamIds.set(key, id);
      this.streamsById.set(id, { id, issuerMac, name: stream });
    }
    return id;
  }

  /** Store records in one transaction (one fsync for the batch); returns them with their ids. */
  append(records: readonly LogRecord[]): StoredLogRecord[] {
    return this.appendTx(records, true) as StoredLogRecord[];
  }

  /** Same, without building the stored copies (when nobody follows the log in realtime). */
  appendQuietly(records: readonly LogRecord[]): void {
    this.appendTx(records, false);
  }

  private appendTx(records: readonly LogRecord[], keep: boolean): StoredLogRecord[] | undefined {
    const stored: StoredLogRecord[] | undefined = keep ? new Array(records.length) : undefined;
    this.inTransaction(() => {
      for (let i = 0; i < records.length; i++) {
        const r = records[i];
        const streamId = this.streamId(r.issuerMac, r.stream);
        const info = this.insertLine.run(streamId, r.ts, r.line);
        if (stored) stored[i] = { ts: r.ts, issuerMac: r.issuerMac, stream: r.stream, line: r.line, id: Number(info.lastInsertRowid), streamId };
      }
    });
    return stored;
  }

  /** The highest line id committed so far (0 when empty). */
  lastId(): number {
    return (this.maxIdStmt.get() as number | null) ?? 0;
  }

  streams(): LogStream[] {
    return this.allStreamsStmt.all() as LogStream[];
  }

  stream(id: number): LogStream | undefined {
    let s = this.streamsById.get(id);
    if (!s) {
      s = this.streamByIdStmt.get(id) as LogStream | undefined;
      if (s) this.streamsById.set(id, s);
    }
    return s;
  }

  /** Lines of one stream after the cursor (ts, id), within the bounds, at most `limit`. */
  page(streamId: number, cursor: { ts: number; id: number }, bounds: HistoryBounds, limit: number): LogRow[] {
    return this.pageStmt.all({
      stream: streamId,
      fromTs: cursor.ts,
      fromId: cursor.id,
      before: bounds.before ?? MAX_TS,
      maxId: bounds.maxId,
      limit,
    }) as LogRow[];
  }

  /** The cursor that starts a scan at the lower bound (strict). */
  static startCursor(bounds: HistoryBounds): { ts: number; id: number } {
    return bounds.after === null ? { ts: -MAX_TS, id: -1 } : { ts: bounds.after, id: MAX_TS };
  }

  /** Number of lines of a stream within strict time bounds. */
  count(streamId: number, after: number | null, before: number | null): number {
    return this.countStmt.get(streamId, after ?? -MAX_TS, before ?? MAX_TS) as number;
  }

  /** Ids of the streams an issuer has. */
  issuerStreams(issuerMac: string): number[] {
    return this.db.prepare('SELECT id FROM logstreams WHERE issuer_mac = ?').pluck().all(issuerMac) as number[];
  }

  /** What an issuer's stored lines weigh, as the quota counts them (characters plus a per-line overhead). */
  issuerBytes(issuerMac: string): number {
    const row = this.db
      .prepare('SELECT coalesce(sum(length(line)), 0) AS chars, count(*) AS n FROM logs WHERE stream_id IN (SELECT id FROM logstreams WHERE issuer_mac = ?)')
      .get(issuerMac) as { chars: number; n: number };
    return row.chars + row.n * LINE_OVERHEAD_BYTES;
  }

  /**
   * Delete an issuer's oldest lines (by time, across its streams), up to `max` lines and no more
   * than needed to free `bytes`, reading each stream through its (stream_id, ts) index. Returns what
   * was deleted.
   */
  dropOldest(issuerMac: string, max: number, bytes: number): { lines: number; bytes: number } {
    const streams = this.issuerStreams(issuerMac);
    const oldest = this.db.prepare('SELECT rowid AS id, ts, length(line) AS chars FROM logs WHERE stream_id = ? ORDER BY ts, rowid LIMIT ?');
    const candidates: Array<{ id: number; ts: number; chars: number }> = [];
    for (const s of streams) candidates.push(...(oldest.all(s, max) as Array<{ id: number; ts: number; chars: number }>));
    candidates.sort((a, b) => a.ts - b.ts || a.id - b.id);
    const victims: typeof candidates = [];
    let freed = 0;
    for (const c of candidates) {
      if (victims.length >= max || freed >= bytes) break;
      victims.push(c);
      freed += c.chars + LINE_OVERHEAD_BYTES;
    }
    const del = this.db.prepare('DELETE FROM logs WHERE rowid = ?');
    this.inTransaction(() => {
      for (const v of victims) del.run(v.id);
    });
    return { lines: victims.length, bytes: freed };
  }

  /**
   * A device is forgotten: delete the streams it issued and their lines (its DeviceCleanup).
   * Returns the number of lines deleted.
   */
  forgetIssuer(mac: string): number {
    let lines = 0;
    this.inTransaction(() => {
      lines = Number(this.db.prepare('DELETE FROM logs WHERE stream_id IN (SELECT id FROM logstreams WHERE issuer_mac = ?)').run(mac).changes);
      this.db.prepare('DELETE FROM logstreams WHERE issuer_mac = ?').run(mac);
    });
    // Cached stream ids may name the deleted streams.
    this.streamIds.clear();
    this.streamsById.clear();
    return lines;
  }
}
