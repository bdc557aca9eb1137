import type { LogsRepository, LogStream } from '../store/logs-repository.js';
import type { TimeRange } from './history-range.js';
import type { LogFilter } from './log-filter.js';
import type { LogEvent, LogService } from './log-service.js';
import { scanHistory } from './history-scan.js';

/** Where a dump writes NDJSON text; `write` returns false when the reader is behind. */
export interface LogSink {
  write(text: string): boolean;
  drained(): Promise<void>;
  readonly closed: boolean;
  /** Resolves when the reader goes away. */
  readonly gone: Promise<void>;
  /** Bytes written but not yet taken by the reader. */
  backlog(): number;
}

export interface LogDumpRequest {
  filter: LogFilter;
  /** null: no history. */
  history: TimeRange | null;
  realtime: boolean;
}

/** Text gathered before a write (fewer syscalls and chunks for large histories). */
const CHUNK = 64 * 1024;
/** A realtime reader this far behind is dropped rather than let the server's memory grow. */
const MAX_BACKLOG = 64 * 1024 * 1024;
/** An empty line this often keeps idle realtime streams alive through client body timeouts. */
const KEEPALIVE_MS = 30_000;

/** One record as one NDJSON line (what the CLI and web clients read). */
export function recordJson(id: number, ts: number, issuer: string, stream: string, line: string): string {
  return `{"id":${id},"ts":${ts},"issuer":${JSON.stringify(issuer)},"stream":${JSON.stringify(stream)},"line":${JSON.stringify(line)}}\n`;
}

/**
 * A `walt log show` session: history first, then realtime. Realtime records that arrive while the
 * history is being sent are buffered and sent after it. The history is the snapshot of the lines
 * committed when the session started (ids up to that point) and realtime is every line committed
 * after, so no line is lost or sent twice at the seam.
 */
export class LogDump {
  constructor(
    private readonly logs: LogService,
    private readonly repo: LogsRepository,
    private readonly issuerName: (mac: string) => string,
  ) {}

  async run(request: LogDumpRequest, sink: LogSink): Promise<void> {
    const { filter } = request;
    this.logs.flush();
    let live = false;
    const backlog: LogEvent[] = [];
    const unfollow = request.realtime
      ? this.logs.follow((e) => {
          if (!filter.acceptsStream({ id: e.streamId, issuerMac: e.issuerMac, name: e.stream }) || !filter.acceptsLine(e.line)) return;
          if (!live) backlog.push(e);
          else if (!sink.closed) sink.write(recordJson(e.id, e.ts, e.issuer, e.stream, e.line));
        })
      : undefined;
    const maxId = this.logs.lastId();
    let keepalive: NodeJS.Timeout | undefined;
    try {
      if (request.history) await this.sendHistory(request, maxId, sink);
      if (!request.realtime || sink.closed) return;
      for (const e of backlog) sink.write(recordJson(e.id, e.ts, e.issuer, e.stream, e.line));
      backlog.length = 0;
      live = true;
      keepalive = setInterval(() => sink.closed || sink.write('\n'), KEEPALIVE_MS);
      await Promise.race([sink.gone, this.watchBacklog(sink)]);
    } finally {
      clearInterval(keepalive);
      unfollow?.();
    }
  }

  private async sendHistory(request: LogDumpRequest, maxId: number, sink: LogSink): Promise<void> {
    const streams = new Map<number, { issuer: string; name: string }>();
    const names = new Map<string, string>();
    for (const s of this.repo.streams() as LogStream[]) {
      if (!request.filter.acceptsStream(s)) continue;
      let issuer = names.get(s.issuerMac);
      if (issuer === undefined) names.set(s.issuerMac, (issuer = this.issuerName(s.issuerMac)));
      streams.set(s.id, { issuer, name: s.name });
    }
    const bounds = { after: request.history!.after, before: request.history!.before, maxId };
    let chunk = '';
    for (const row of scanHistory(this.repo, [...streams.keys()], bounds)) {
      if (!request.filter.acceptsLine(row.line)) continue;
      const s = streams.get(row.streamId)!;
      chunk += recordJson(row.id, row.ts, s.issuer, s.name, row.line);
      if (chunk.length < CHUNK) continue;
      if (sink.closed) return;
      const ok = sink.write(chunk);
      chunk = '';
      // Let ingestion and other requests run between chunks; wait when the reader is behind.
      if (!ok) await sink.drained();
      else await new Promise((r) => setImmediate(r));
      if (sink.closed) return;
    }
    if (chunk && !sink.closed) sink.write(chunk);
  }

  /** Resolves if the reader stops reading while realtime lines keep coming. */
  private watchBacklog(sink: LogSink): Promise<void> {
    return new Promise((resolve) => {
      const timer = setInterval(() => {
        if (sink.closed || sink.backlog() > MAX_BACKLOG) {
          clearInterval(timer);
          resolve();
        }
      }, 1000);
      void sink.gone.then(() => clearInterval(timer));
    });
  }
}
