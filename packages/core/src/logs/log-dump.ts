import type { LogsRepository, LogStream } from '../store/logs-repository.js';
import type { TimeRange } from './history-range.js';
import type { LogFilter } from './log-filter.js';
import type { LogEvent, LogService } from './log-service.js';
import { scanHistory, type HistoryLine } from './history-scan.js';

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
/** Realtime records not yet filtered, at most (a reader whose filtering falls this far behind is dropped). */
const MAX_QUEUED = 500_000;
/** Records filtered at once (one message to the regex worker). */
const REALTIME_BATCH = 5000;
const HISTORY_BATCH = 5000;
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
    // Realtime records wait here while the history is sent, then while the regex worker filters
    // the previous batch: the filter is asynchronous (docs/decisions/0014-security.md).
    const queue: LogEvent[] = [];
    let wake: (() => void) | undefined;
    const unfollow = request.realtime
      ? this.logs.follow((e) => {
          if (filter.knownStream(e.streamId) === false) return;
          queue.push(e);
          wake?.();
        })
      : undefined;
    const maxId = this.logs.lastId();
    let keepalive: NodeJS.Timeout | undefined;
    let stopped = false;
    try {
      if (request.history) await this.sendHistory(request, maxId, sink);
      if (!request.realtime || sink.closed) return;
      keepalive = setInterval(() => sink.closed || sink.write('\n'), KEEPALIVE_MS);
      const pump = async () => {
        while (!stopped && !sink.closed) {
          if (!queue.length) {
            await new Promise<void>((r) => (wake = r));
            wake = undefined;
            continue;
          }
          const batch = queue.splice(0, REALTIME_BATCH);
          const text = await this.filtered(filter, batch);
          if (text && !sink.closed) sink.write(text);
        }
      };
      await Promise.race([sink.gone, this.watchBacklog(sink, () => queue.length), pump()]);
    } finally {
      stopped = true;
      wake?.();
      clearInterval(keepalive);
      unfollow?.();
    }
  }

  /** The NDJSON of the events of `batch` that `filter` accepts, in order. */
  private async filtered(filter: LogFilter, batch: LogEvent[]): Promise<string> {
    const streams = new Map<number, LogStream>();
    for (const e of batch) if (filter.knownStream(e.streamId) === undefined) streams.set(e.streamId, { id: e.streamId, issuerMac: e.issuerMac, name: e.stream });
    if (streams.size) await filter.acceptStreams([...streams.values()]);
    const kept = batch.filter((e) => filter.knownStream(e.streamId));
    const verdicts = await filter.acceptLines(kept.map((e) => e.line));
    let text = '';
    kept.forEach((e, i) => {
      if (verdicts[i]) text += recordJson(e.id, e.ts, e.issuer, e.stream, e.line);
    });
    return text;
  }

  private async sendHistory(request: LogDumpRequest, maxId: number, sink: LogSink): Promise<void> {
    const streams = new Map<number, { issuer: string; name: string }>();
    const names = new Map<string, string>();
    for (const s of await request.filter.acceptStreams(this.repo.streams() as LogStream[])) {
      let issuer = names.get(s.issuerMac);
      if (issuer === undefined) names.set(s.issuerMac, (issuer = this.issuerName(s.issuerMac)));
      streams.set(s.id, { issuer, name: s.name });
    }
    const bounds = { after: request.history!.after, before: request.history!.before, maxId };
    let rows: HistoryLine[] = [];
    let rowsLength = 0;
    const send = async () => {
      const verdicts = await request.filter.acceptLines(rows.map((r) => r.line));
      let chunk = '';
      rows.forEach((row, i) => {
        if (!verdicts[i]) return;
        const s = streams.get(row.streamId)!;
        chunk += recordJson(row.id, row.ts, s.issuer, s.name, row.line);
      });
      rows = [];
      rowsLength = 0;
      if (!chunk || sink.closed) return;
      // Let ingestion and other requests run between chunks; wait when the reader is behind.
      if (!sink.write(chunk)) await sink.drained();
      else await new Promise((r) => setImmediate(r));
    };
    for (const row of scanHistory(this.repo, [...streams.keys()], bounds)) {
      rows.push(row);
      rowsLength += row.line.length + 64;
      if (rowsLength < CHUNK && rows.length < HISTORY_BATCH) continue;
      if (sink.closed) return;
      await send();
      if (sink.closed) return;
    }
    if (rows.length && !sink.closed) await send();
  }

  /** Resolves if the reader stops reading while realtime lines keep coming. */
  private watchBacklog(sink: LogSink, queued: () => number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setInterval(() => {
        if (sink.closed || sink.backlog() > MAX_BACKLOG || queued() > MAX_QUEUED) {
          clearInterval(timer);
          resolve();
        }
      }, 1000);
      void sink.gone.then(() => clearInterval(timer));
    });
  }
}
