import { EventEmitter } from 'node:events';
import type { LogRecord, LogsRepository } from '../store/logs-repository.js';

/** A log record as delivered to readers, with the issuer's current name resolved. */
export interface LogEvent extends LogRecord {
  issuer: string;
}

/** The server's own issuer name and MAC in the log (the server device). */
export interface ServerIdentity {
  name: string;
  mac: string;
}

/**
 * The platform and experiment log: stores lines durably, then hands them to realtime readers.
 * Platform lines (issuer walt-server, stream platform.<x>) are also echoed to the daemon's stdout.
 */
export class LogService {
  private readonly events = new EventEmitter();

  constructor(
    private readonly repository: LogsRepository,
    private readonly server: ServerIdentity,
    private readonly resolveIssuer: (mac: string) => string,
    private readonly echo: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
  ) {
    this.events.setMaxListeners(0);
  }

  /** Log a platform line on stream `platform.<topic>` (topic e.g. "devices", "nodes", "plugins"). */
  platform(topic: string, line: string, options: { error?: boolean } = {}): void {
    this.append([{ ts: nowMicros(), issuerMac: this.server.mac, stream: `platform.${topic}`, line }]);
    this.echo(`${options.error ? 'ERROR ' : ''}platform.${topic} -> ${line}`);
  }

  /** Store records durably, then notify realtime readers. */
  append(records: readonly LogRecord[]): void {
    if (!records.length) return;
    this.repository.append(records);
    for (const r of records) this.events.emit('record', { ...r, issuer: this.resolveIssuer(r.issuerMac) });
  }

  /** Follow new records; returns the function that stops following. */
  follow(listener: (event: LogEvent) => void): () => void {
    this.events.on('record', listener);
    return () => this.events.off('record', listener);
  }

  get serverIdentity(): ServerIdentity {
    return this.server;
  }
}

export function nowMicros(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}
