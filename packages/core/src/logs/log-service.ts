import { EventEmitter } from 'node:events';
import type { LogRecord, LogsRepository, StoredLogRecord } from '../store/logs-repository.js';
import { hostEcho } from './journal-echo.js';
import { StdoutEcho } from './stdout-echo.js';

/** A log record as delivered to realtime readers, with the issuer's current name resolved. */
export interface LogEvent extends StoredLogRecord {
  issuer: string;
}

/** The server's own issuer name and MAC in the log (the server device). */
export interface ServerIdentity {
  name: string;
  mac: string;
}

/** Lines gathered into one transaction at most (bounds the time the event loop is held by a commit). */
const MAX_BATCH = 20_000;

/**
 * The platform and experiment log: stores lines durably, then hands them to realtime readers.
 * Platform lines (issuer walt-server, stream platform.<x>) are also echoed to the daemon's stdout
 * (with journal priorities under systemd: journal-echo.ts).
 *
 * Ingested lines are group-committed: every line that arrives during one turn of the event loop goes
 * into one transaction (one fsync), and the callers are acknowledged after that commit. Realtime
 * readers are notified after the commit too, in commit (id) order.
 */
export class LogService {
  private readonly events = new EventEmitter();
  private pending: LogRecord[] = [];
  private waiters: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  private scheduled = false;

  constructor(
    private readonly repository: LogsRepository,
    private readonly server: ServerIdentity,
    private readonly resolveIssuer: (mac: string) => string,
    // One write per event-loop turn (StdoutEcho), with the journal's priorities under systemd.
    private readonly echo: (line: string) => void = hostEcho(process.env, new StdoutEcho().text),
    // Told about every commit (the per-node disk quota, log-quota.ts).
    private readonly afterCommit?: (records: readonly LogRecord[]) => void,
  ) {
    this.events.setMaxListeners(0);
  }

  /** Log a platform line on stream `platform.<topic>` (topic e.g. "devices", "nodes", "plugins"). */
  platform(topic: string, line: string, options: { error?: boolean } = {}): void {
    this.append([{ ts: nowMicros(), issuerMac: this.server.mac, stream: `platform.${topic}`, line }]);
    this.echo(`${options.error ? 'ERROR ' : ''}platform.${topic} -> ${line}`);
  }

  /** Store records now, in one transaction (inside the caller's transaction if there is one), then notify. */
  append(records: readonly LogRecord[]): void {
    if (!records.length) return;
    this.publish(this.repository.append(records));
    this.afterCommit?.(records);
  }

  /**
   * Queue records for the next group commit; the promise resolves once they are durable
   * (and rejects if the commit failed, so nothing is acknowledged that was not stored).
   */
  ingest(records: readonly LogRecord[]): Promise<void> {
    if (!records.length) return Promise.resolve();
    for (const r of records) this.pending.push(r);
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (this.pending.length >= MAX_BATCH) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    return done;
  }

  /** Commit what is queued now (also used before a snapshot, and at stop). */
  flush(): void {
    this.scheduled = false;
    if (!this.pending.length) return;
    const batch = this.pending;
    const waiters = this.waiters;
    this.pending = [];
    this.waiters = [];
    const following = this.events.listenerCount('record') > 0;
    let stored: StoredLogRecord[] | undefined;
    try {
      if (following) stored = this.repository.append(batch);
      else this.repository.appendQuietly(batch);
    } catch (e) {
      for (const w of waiters) w.reject(e);
      return;
    }
    for (const w of waiters) w.resolve();
    if (stored) this.publish(stored);
    this.afterCommit?.(batch);
  }

  /** Follow new records (after their commit); returns the function that stops following. */
  follow(listener: (event: LogEvent) => void): () => void {
    this.events.on('record', listener);
    return () => this.events.off('record', listener);
  }

  /** The id of the last committed line: history up to it, realtime after it. */
  lastId(): number {
    return this.repository.lastId();
  }

  get serverIdentity(): ServerIdentity {
    return this.server;
  }

  private publish(stored: readonly StoredLogRecord[]): void {
    if (!this.events.listenerCount('record')) return;
    const names = new Map<string, string>();
    for (const r of stored) {
      let issuer = names.get(r.issuerMac);
      if (issuer === undefined) names.set(r.issuerMac, (issuer = this.resolveIssuer(r.issuerMac)));
      this.events.emit('record', { ...r, issuer });
    }
  }
}

export function nowMicros(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}
