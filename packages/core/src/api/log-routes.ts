import type { ServerResponse } from 'node:http';
import { WaltError, conflict, forbidden, invalid, notFound } from '../errors.js';
import type { Device } from '../devices/device.js';
import { normalizeMac } from '../devices/device.js';
import type { DeviceRegistry } from '../devices/device-registry.js';
import { checkpointDate } from '../logs/checkpoint-date.js';
import { isCheckpointName, parseHistoryRange, type TimeRange } from '../logs/history-range.js';
import { acceptedTimestamp, checkStreamName } from '../logs/ingest-rules.js';
import { LogDump, type LogSink } from '../logs/log-dump.js';
import { LogFilter } from '../logs/log-filter.js';
import { nowMicros, type LogService } from '../logs/log-service.js';
import { compilePosixRegex } from '../logs/posix-regex.js';
import { isLoopback } from '../logs/peer-address.js';
import type { IssuerRate } from '../logs/issuer-rate.js';
import type { CheckpointsRepository } from '../store/checkpoints-repository.js';
import type { LogRecord, LogsRepository } from '../store/logs-repository.js';
import { STREAMED, type ApiRequest, type Router } from './router.js';

export interface LogRoutesDeps {
  logs: LogService;
  repo: LogsRepository;
  checkpoints: CheckpointsRepository;
  devices: DeviceRegistry;
  /** Resolve a device set for a user, restricted to `allowed` (the devices engineer's DeviceSets). */
  resolveSet(spec: string, user: string | null, allowed: string): Device[];
  /** Per-node rate of log lines (absent: unlimited); the server's own tools (loopback) are not limited. */
  rate?: IssuerRate;
  /** The port of the TCP side channel (REQ_NEW_INCOMING_LOGS), once listening. */
  tcpPort(): number;
}

const MAX_RECORDS_PER_REQUEST = 100_000;
const ISSUERS_ALLOWED = 'server,all-nodes';
const NEED_ONE_MODE =
  "You must specify at least 1 of the options --realtime and --history. See 'walt help show log-realtime' and 'walt help show log-history' for more info.";
const INVALID_CHECKPOINT_NAME =
  'Invalid checkpoint name: only alnum and dash(-) characters are allowed, dash(-) is not allowed as the 1st character, and at least 2 characters are needed.';

/** The log API: ingestion, queries (streamed NDJSON), counts, checkpoints. */
export function registerLogRoutes(router: Router, deps: LogRoutesDeps): void {
  const { logs, repo, checkpoints, devices } = deps;
  const dump = new LogDump(logs, repo, (mac) => devices.byMac(mac)?.name ?? mac);

  router.post('/api/v1/logs', async (req) => {
    const records = ingestedRecords(req, deps);
    if (deps.rate && !isLoopback(req.raw.socket.remoteAddress ?? '')) {
      const wait = deps.rate.take(records[0]?.issuerMac ?? '', records.reduce((n, r) => n + r.line.length, 0));
      if (wait > 0) throw new WaltError('too-many', `this node sends log lines faster than the server accepts: retry in ${Math.ceil(wait / 1000)} s`, 429);
    }
    await logs.ingest(records);
    return { ok: true, count: records.length };
  });

  router.get('/api/v1/logs/ingestion', () => ({ tcpPort: deps.tcpPort(), protocol: 'REQ_NEW_INCOMING_LOGS' }));

  // The developed issuer set (log wait --mode ALL waits for each of them).
  router.get('/api/v1/logs/issuers', (req) => ({
    issuers: deps.resolveSet(req.query.get('issuers') || 'my-nodes', req.user, ISSUERS_ALLOWED).map((d) => d.name),
  }));

  router.get('/api/v1/logs/count', async (req) => {
    const q = parseQuery(req, deps, { requireMode: false });
    const range = q.history ?? { after: null, before: null };
    let count = 0;
    for (const s of await q.filter.acceptStreams(repo.streams())) count += repo.count(s.id, range.after, range.before);
    return { count };
  });

  router.get('/api/v1/logs', async (req) => {
    const q = parseQuery(req, deps, { requireMode: true });
    const sink = responseSink(req.res);
    req.raw.socket.setNoDelay(true);
    req.res.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store' });
    req.res.flushHeaders();
    try {
      await dump.run({ filter: q.filter, history: q.history, realtime: q.realtime }, sink);
    } finally {
      if (!req.res.writableEnded) req.res.end();
    }
    return STREAMED;
  });

  router.get('/api/v1/logs/checkpoints', (req) => ({ checkpoints: checkpoints.list(userOf(req)) }));

  router.post('/api/v1/logs/checkpoints', (req) => {
    const user = userOf(req);
    const body = (req.body ?? {}) as { name?: unknown; date?: unknown };
    if (body.date !== undefined && body.date !== null && typeof body.date !== 'string') throw invalid('date must be a string (e.g. -5m or "2015-09-28 15:16:39")');
    const ts = checkpointDate((body.date as string | null | undefined) ?? undefined, nowMicros());
    if (typeof body.name !== 'string' || !isCheckpointName(body.name)) throw invalid(INVALID_CHECKPOINT_NAME);
    if (!checkpoints.add(user, { name: body.name, ts })) throw conflict('Failed: a checkpoint with this name already exists.');
    return { name: body.name, ts };
  });

  router.delete('/api/v1/logs/checkpoints/:name', (req) => {
    const user = userOf(req);
    if (!checkpoints.remove(user, req.params.name)) throw notFound(`Failed: no checkpoint with this name '${req.params.name}'.`);
    return { ok: true };
  });
}

function userOf(req: ApiRequest): string {
  if (!req.user) throw invalid('checkpoints belong to a user: the request carried no user name (X-Walt-User)');
  return req.user;
}

interface ParsedQuery {
  filter: LogFilter;
  history: TimeRange | null;
  realtime: boolean;
}

/** The query of `walt log show`/`wait`, validated in the original's order, each refusal one line. */
function parseQuery(req: ApiRequest, deps: LogRoutesDeps, options: { requireMode: boolean }): ParsedQuery {
  const q = req.query;
  const historyText = q.get('history') ?? 'none';
  const realtime = ['1', 'true', 'yes'].includes((q.get('realtime') ?? '').toLowerCase());
  if (options.requireMode && !realtime && historyText.toLowerCase() === 'none') throw invalid(NEED_ONE_MODE);
  const streamsText = q.get('streams') || null;
  const lineText = q.get('line') || null;
  const streams = streamsText === null ? null : compilePosixRegex(streamsText);
  const line = lineText === null ? null : compilePosixRegex(lineText);
  const issuers = deps.resolveSet(q.get('issuers') || 'my-nodes', req.user, ISSUERS_ALLOWED);
  const history = parseHistoryRange(historyText, nowMicros(), (name) => (req.user ? deps.checkpoints.get(req.user, name)?.ts : undefined));
  return { filter: new LogFilter(new Set(issuers.map((d) => d.mac)), streams, line), history, realtime };
}

/** Records of POST /api/v1/logs: `{stream, line, ts?}` or `{records: [...]}`, optional `issuer`. */
function ingestedRecords(req: ApiRequest, deps: LogRoutesDeps): LogRecord[] {
  const body = req.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalid('expected a JSON object: {"stream": "...", "line": "..."} or {"records": [{"stream": "...", "line": "...", "ts": <seconds>}]}');
  }
  const b = body as { issuer?: unknown; records?: unknown; stream?: unknown; line?: unknown; ts?: unknown };
  const issuerMac = ingestionIssuer(req, deps, b.issuer);
  const raw: unknown[] = b.records === undefined ? [{ stream: b.stream, line: b.line, ts: b.ts }] : (b.records as unknown[]);
  if (!Array.isArray(raw)) throw invalid('records must be a list of {"stream": "...", "line": "...", "ts": <seconds>}');
  if (raw.length > MAX_RECORDS_PER_REQUEST) throw new WaltError('too-large', `too many records in one request (at most ${MAX_RECORDS_PER_REQUEST}; send several requests)`, 413);
  const now = nowMicros();
  const checkedStreams = new Set<string>();
  return raw.map((r, i) => {
    const where = b.records === undefined ? '' : `records[${i}].`;
    if (typeof r !== 'object' || r === null) throw invalid(`${where.slice(0, -1) || 'body'}: expected {"stream": "...", "line": "..."}`);
    const { stream, line, ts } = r as { stream?: unknown; line?: unknown; ts?: unknown };
    if (typeof stream !== 'string') throw invalid(`${where}stream: missing (the log stream name, e.g. "experiment")`);
    if (!checkedStreams.has(stream)) {
      const problem = checkStreamName(stream);
      if (problem) throw invalid(`${where}stream: ${problem}`);
      checkedStreams.add(stream);
    }
    if (typeof line !== 'string') throw invalid(`${where}line: missing (the text of the log line)`);
    if (line.includes('\n')) throw invalid(`${where}line: contains a newline (send one record per line)`);
    if (ts !== undefined && ts !== null && (typeof ts !== 'number' || !Number.isFinite(ts))) {
      throw invalid(`${where}ts: expected a number of seconds since the epoch (e.g. 1700000000.25)`);
    }
    return { ts: typeof ts === 'number' ? acceptedTimestamp(ts, now) : now, issuerMac, stream, line };
  });
}

/**
 * Who sends: the device whose IP opened the connection. A tool on the server itself (loopback) may
 * name the issuer explicitly (MAC or device name); without one, loopback means the server.
 */
function ingestionIssuer(req: ApiRequest, deps: LogRoutesDeps, explicit: unknown): string {
  const peer = req.raw.socket.remoteAddress ?? '';
  const local = isLoopback(peer);
  if (explicit !== undefined && explicit !== null) {
    if (typeof explicit !== 'string') throw invalid('issuer must be a MAC address or a device name');
    if (!local) throw forbidden('an explicit issuer is only accepted from the server itself (loopback); nodes are identified by their IP');
    let device: Device | undefined;
    try {
      device = deps.devices.byMac(normalizeMac(explicit));
    } catch {
      device = deps.devices.byName(explicit);
    }
    if (!device) throw notFound(`No device with MAC or name '${explicit}' found.`);
    return device.mac;
  }
  const device = deps.devices.byIp(peer.replace(/^::ffff:/, ''));
  if (device) return device.mac;
  if (local) return deps.logs.serverIdentity.mac;
  throw forbidden(`unknown issuer: no WalT device has address ${peer}; logs are accepted from registered devices only`);
}

/** The HTTP response as a LogSink. */
function responseSink(res: ServerResponse): LogSink {
  const gone = new Promise<void>((resolve) => res.once('close', () => resolve()));
  return {
    write: (text) => res.write(text),
    drained: () =>
      new Promise<void>((resolve) => {
        const done = () => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.once('drain', done);
        res.once('close', done);
      }),
    get closed() {
      return res.destroyed || res.writableEnded;
    },
    gone,
    backlog: () => res.writableLength,
  };
}
