import { describe, expect, it } from 'vitest';
import { openDatabase } from '../store/database.js';
import { LogsRepository, type LogRecord } from '../store/logs-repository.js';
import { LogQuota } from './log-quota.js';
import { LogService } from './log-service.js';

const SERVER = '02:00:00:00:00:01';
const LOUD = '02:00:00:00:00:0a';
const QUIET = '02:00:00:00:00:0b';
const MIB = 1024 * 1024;

function setup(now = () => 0) {
  const repo = new LogsRepository(openDatabase(':memory:'));
  const reports: string[] = [];
  const quota = new LogQuota(repo, {
    bytesPerIssuer: MIB,
    exempt: (mac) => mac === SERVER,
    nameOf: (mac) => (mac === LOUD ? 'loud-node' : 'quiet-node'),
    report: (line) => reports.push(line),
    reportPeriodMs: 60_000,
    now,
  });
  const logs = new LogService(repo, { name: 'walt-server', mac: SERVER }, (mac) => mac, () => undefined, (r) => quota.committed(r));
  return { repo, quota, logs, reports };
}

const lines = (mac: string, from: number, count: number, size: number): LogRecord[] =>
  Array.from({ length: count }, (_, i) => ({ ts: (from + i) * 1000, issuerMac: mac, stream: 'exp', line: `${String(from + i).padStart(8, '0')} ${'x'.repeat(size - 9)}` }));

async function storedOf(repo: LogsRepository, mac: string): Promise<string[]> {
  const out: string[] = [];
  for (const s of repo.issuerStreams(mac)) {
    out.push(...repo.page(s, { ts: -1e18, id: -1 }, { after: null, before: null, maxId: repo.lastId() }, 1_000_000).map((r) => r.line.slice(0, 8)));
  }
  return out;
}

describe('per-node disk quota of stored log lines', () => {
  it('drops the oldest lines of a node over its quota, keeps its newest and every other node\'s, and says so once per period', async () => {
    let t = 0;
    const { repo, quota, logs, reports } = setup(() => t);
    await logs.ingest(lines(QUIET, 0, 100, 100));
    // 3 MiB from one node, in commits of 200 KB.
    for (let i = 0; i < 15; i++) await logs.ingest(lines(LOUD, i * 200, 200, 1024));
    await quota.settled();
    expect(repo.issuerBytes(LOUD)).toBeLessThanOrEqual(MIB);
    expect(repo.issuerBytes(LOUD)).toBeGreaterThan(0.8 * MIB);
    const kept = await storedOf(repo, LOUD);
    expect(kept.at(-1)).toBe('00002999');
    expect(kept[0]).not.toBe('00000000');
    expect(await storedOf(repo, QUIET)).toHaveLength(100);
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatch(/^loud-node is over its log quota \(1 MiB, config key logs\.node-quota-mib\): dropped its \d+ oldest lines/);

    // Within the period: dropped again, said nothing; after it: one more line, with the sum since.
    for (let i = 15; i < 20; i++) await logs.ingest(lines(LOUD, i * 200, 200, 1024));
    await quota.settled();
    expect(reports).toHaveLength(1);
    t = 61_000;
    for (let i = 20; i < 25; i++) await logs.ingest(lines(LOUD, i * 200, 200, 1024));
    await quota.settled();
    expect(reports).toHaveLength(2);
    expect(repo.issuerBytes(LOUD)).toBeLessThanOrEqual(MIB);
  });

  it('counts what a node stored before the server started, and never limits the server\'s own log', async () => {
    const { repo, logs } = setup();
    repo.append(lines(LOUD, 0, 2000, 1024)); // 2 MiB already there
    for (let i = 0; i < 2000; i++) logs.platform('test', 'y'.repeat(1024));
    const quota = new LogQuota(repo, { bytesPerIssuer: MIB, exempt: (m) => m === SERVER, nameOf: (m) => m, report: () => undefined });
    quota.committed(lines(LOUD, 2000, 1, 10));
    await quota.settled();
    expect(repo.issuerBytes(LOUD)).toBeLessThanOrEqual(MIB);
    expect(repo.issuerBytes(SERVER)).toBeGreaterThan(2 * MIB);
  });
});
