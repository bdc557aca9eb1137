import { describe, expect, it } from 'vitest';
import { openDatabase } from '../store/database.js';
import { LogsRepository, type LogRecord } from '../store/logs-repository.js';
import { LogDump, type LogSink } from './log-dump.js';
import { compilePosixRegex } from './posix-regex.js';
import { LogFilter } from './log-filter.js';
import { LogService } from './log-service.js';
import { scanHistory } from './history-scan.js';

const A = '02:00:00:00:00:0a';
const B = '02:00:00:00:00:0b';

function setup() {
  const repo = new LogsRepository(openDatabase(':memory:'));
  const logs = new LogService(repo, { name: 'walt-server', mac: '02:00:00:00:00:01' }, (mac) => `dev-${mac.slice(-2)}`, () => undefined);
  return { repo, logs };
}

/** A sink that collects NDJSON records; write() reports "full" every `every` writes to exercise drain. */
function collectingSink(every = 0) {
  const records: Array<{ id: number; ts: number; issuer: string; stream: string; line: string }> = [];
  let goneResolve!: () => void;
  let writes = 0;
  let closed = false;
  const sink: LogSink = {
    write(text) {
      for (const l of text.split('\n')) if (l) records.push(JSON.parse(l));
      writes++;
      return !every || writes % every !== 0;
    },
    drained: () => new Promise((r) => setTimeout(r, 1)),
    get closed() {
      return closed;
    },
    gone: new Promise<void>((r) => (goneResolve = r)),
    backlog: () => 0,
  };
  return { records, sink, close: () => ((closed = true), goneResolve()) };
}

describe('history scan', () => {
  it('merges streams in (timestamp, id) order with strict bounds', () => {
    const { repo } = setup();
    const recs: LogRecord[] = [];
    for (let i = 0; i < 500; i++) recs.push({ ts: 1000 + ((i * 7919) % 300), issuerMac: i % 2 ? A : B, stream: `s${i % 5}`, line: `l${i}` });
    repo.append(recs);
    const ids = repo.streams().map((s) => s.id);
    const rows = [...scanHistory(repo, ids, { after: 1010, before: 1200, maxId: repo.lastId() })];
    const expected = recs
      .map((r, i) => ({ ...r, id: i + 1 }))
      .filter((r) => r.ts > 1010 && r.ts < 1200)
      .sort((x, y) => x.ts - y.ts || x.id - y.id);
    expect(rows.map((r) => r.id)).toEqual(expected.map((r) => r.id));
  });
});

describe('LogService group commit', () => {
  it('acknowledges after the commit, and commits one batch per event-loop turn', async () => {
    const { repo, logs } = setup();
    const p1 = logs.ingest([{ ts: 1, issuerMac: A, stream: 's', line: 'a' }]);
    const p2 = logs.ingest([{ ts: 2, issuerMac: A, stream: 's', line: 'b' }]);
    expect(repo.lastId()).toBe(0);
    await Promise.all([p1, p2]);
    expect(repo.lastId()).toBe(2);
  });
});

describe('LogDump seam', () => {
  it('sends history then realtime, no line lost or duplicated while lines keep coming', async () => {
    const { repo, logs } = setup();
    const history: LogRecord[] = [];
    for (let i = 0; i < 20_000; i++) history.push({ ts: 1_000_000 + i, issuerMac: i % 2 ? A : B, stream: 'exp', line: `h${i}` });
    repo.append(history);
    const dump = new LogDump(logs, repo, (mac) => `dev-${mac.slice(-2)}`);
    const { records, sink, close } = collectingSink(3);
    const running = dump.run({ filter: new LogFilter(new Set([A, B]), null, null), history: { after: null, before: null }, realtime: true }, sink);
    // Lines arrive while the history is being sent (the dump yields between chunks).
    for (let i = 0; i < 50; i++) {
      await logs.ingest([{ ts: 5, issuerMac: A, stream: 'exp', line: `r${i}` }]);
    }
    for (let i = 0; i < 500 && records.length < 20_050; i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 20));
    close();
    await running;
    const lines = records.map((r) => r.line);
    expect(new Set(lines).size).toBe(lines.length);
    expect(lines.length).toBe(20_050);
    expect(lines.slice(0, 20_000)).toEqual(history.map((h) => h.line));
    expect(lines.slice(20_000)).toEqual(Array.from({ length: 50 }, (_, i) => `r${i}`));
  });

  it('filters issuers, streams and lines the same way in history and realtime', async () => {
    const { repo, logs } = setup();
    repo.append([
      { ts: 1, issuerMac: A, stream: 'exp', line: 'keep me' },
      { ts: 2, issuerMac: B, stream: 'exp', line: 'keep me' },
      { ts: 3, issuerMac: A, stream: 'other', line: 'keep me' },
      { ts: 4, issuerMac: A, stream: 'exp', line: 'drop' },
    ]);
    const dump = new LogDump(logs, repo, (mac) => `dev-${mac.slice(-2)}`);
    const { records, sink, close } = collectingSink();
    const filter = new LogFilter(new Set([A]), compilePosixRegex('^exp$'), compilePosixRegex('keep'));
    const running = dump.run({ filter, history: { after: null, before: null }, realtime: true }, sink);
    await new Promise((r) => setTimeout(r, 5));
    await logs.ingest([
      { ts: 9, issuerMac: A, stream: 'exp', line: 'keep live' },
      { ts: 9, issuerMac: B, stream: 'exp', line: 'keep live' },
      { ts: 9, issuerMac: A, stream: 'exp', line: 'nope' },
    ]);
    // Filtering runs on the regex worker: wait for the live line (bounded), then a little more.
    for (let i = 0; i < 500 && records.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 50));
    close();
    await running;
    expect(records.map((r) => `${r.issuer} ${r.stream} ${r.line}`)).toEqual(["dev-0a exp keep me", "dev-0a exp keep live"]);
  });
});
