// Logs benchmark (npm run bench -- logs): ingest 1,000,000 lines from 50 issuers through a real
// walt-server (HTTP POST /api/v1/logs, group-committed, durable before acknowledged), then time a
// `walt log show --history full` filtered on one issuer and one stream over those lines, and the
// realtime latency. Established tools side by side: better-sqlite3 inserting the same lines straight
// into the same schema (the store's ceiling), and grep over the same lines in a flat file.
// Targets (issue 3): >= 50,000 lines/s ingested, filtered history query < 1 s.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { listeningPort } from './bench-network.mjs';
import { printLoad, spread } from './bench-stats.mjs';

const REPO = resolve(import.meta.dirname, '..', '..');
const WALT = join(REPO, 'packages/cli/dist/bin/walt.js');
const WALT_SERVER = join(REPO, 'packages/server/dist/bin/walt-server.js');
const ISSUERS = 50;
const STREAMS_PER_ISSUER = 4;
const TOTAL = Number(process.env.WALT_BENCH_LOG_LINES ?? 1_000_000);
const BATCH = 2000;
const DEADLINE_MS = 5 * 60_000;

const line = (i) => `seq=${i} temperature=${(20 + (i % 100) / 10).toFixed(1)} status=ok experiment payload with a few words`;

export default async function logsBench() {
  printLoad('logs');
  const dir = mkdtempSync(join(tmpdir(), 'walt-bench-logs-'));
  const deadline = setTimeout(() => {
    process.stderr.write(`logs bench: aborted after ${DEADLINE_MS / 1000} s\n`);
    server?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    process.exit(1);
  }, DEADLINE_MS);
  deadline.unref();
  let server;
  try {
    writeFileSync(join(dir, 'server.conf'), 'network:\n  walt-net:\n    raw-device: null\n    ip: 192.168.152.1/24\napi:\n  port: 0\n  tcp-port: 0\n');
    server = spawn(process.execPath, [...(process.env.WALT_BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean), WALT_SERVER, 'start', '--config', join(dir, 'server.conf'), '--data-dir', join(dir, 'data')], { stdio: ['ignore', 'pipe', 'pipe'] });
    const port = await listeningPort(server);
    const base = `http://127.0.0.1:${port}`;
    // The bench user's token (trust on first use).
    const { token } = await (await fetch(`${base}/api/v1/users/claim`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'bench' }) })).json();
    const post = async (path, body) => {
      const res = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
      if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
      return res.json();
    };

    // 50 nodes, registered through the server's registration entry point.
    const issuers = [];
    for (let i = 0; i < ISSUERS; i++) {
      const hex = (0x100 + i).toString(16).slice(1);
      const r = await post('/api/v1/devices/register', { mac: `02:00:00:00:00:${hex}`, ip: `192.168.152.${10 + i}`, vendorClass: 'walt.node.pc-x86-64' });
      issuers.push(r.device);
    }
    if (issuers.some((d) => d.type !== 'node')) throw new Error('registered devices are not nodes');

    // Ingestion: one sender per issuer, all at once, batches of BATCH lines; counted when acknowledged.
    const perIssuer = Math.ceil(TOTAL / ISSUERS);
    const t0 = performance.now();
    await Promise.all(
      issuers.map(async (d, k) => {
        for (let start = 0; start < perIssuer; start += BATCH) {
          const records = [];
          for (let i = start; i < Math.min(start + BATCH, perIssuer); i++) records.push({ stream: `stream-${i % STREAMS_PER_ISSUER}`, line: line(k * perIssuer + i) });
          await post('/api/v1/logs', { issuer: d.mac, records });
        }
      }),
    );
    const ingestS = (performance.now() - t0) / 1000;
    const ingested = perIssuer * ISSUERS;
    const rate = ingested / ingestS;

    // Filtered history query: one issuer, one stream, through the CLI (process start included).
    const target = issuers[17];
    const env = { ...process.env, WALT_SERVER: `127.0.0.1:${port}`, WALT_USER: 'bench', WALT_TOKEN: token, WALT_CONFIG_FILE: join(dir, 'no-client-config') };
    const queryArgs = ['log', 'show', '--history', 'full', '--issuers', target.name, '--streams', '^stream-2$'];
    const cliTimes = [];
    let printed = 0;
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      const out = execFileSync(process.execPath, [WALT, ...queryArgs], { env, maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' });
      cliTimes.push((performance.now() - t) / 1000);
      printed = out.split('\n').filter(Boolean).length;
    }
    const expected = perIssuer / STREAMS_PER_ISSUER;
    if (printed !== expected) throw new Error(`the query printed ${printed} lines, expected ${expected}`);
    const apiTimes = [];
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      const res = await fetch(`${base}/api/v1/logs?history=full&issuers=${target.name}&streams=${encodeURIComponent('^stream-2$')}`, { headers: { authorization: `Bearer ${token}` } });
      await res.text();
      apiTimes.push((performance.now() - t) / 1000);
    }
    const nodeStartup = median(timeRuns(3, () => execFileSync(process.execPath, ['-e', '0'])));

    // Realtime latency: acknowledgement of the POST -> line on the CLI's stdout.
    const latencies = await realtimeLatencies(env, post, 20);

    // Established tools, same lines.
    const sqlite = directSqliteRate(join(dir, 'direct.db'), ingested, issuers.length);
    const grepS = await grepQuery(join(dir, 'flat.log'), issuers, perIssuer, target.name);

    const report = [
      `logs bench: ${ingested.toLocaleString('en')} lines, ${ISSUERS} issuers x ${STREAMS_PER_ISSUER} streams, batches of ${BATCH}, synchronous=FULL`,
      `  ingestion through walt-server (HTTP, acknowledged after commit): ${fmt(rate)} lines/s (${ingestS.toFixed(2)} s)   target >= 50,000`,
      `  better-sqlite3 direct insert, same schema, 5000-line transactions:   ${fmt(sqlite)} lines/s   walt-server/direct = ${(rate / sqlite).toFixed(2)}`,
      `  filtered history query (1 issuer, 1 stream, ${printed} lines of ${ingested.toLocaleString('en')}):`,
      `    walt log show --history full (CLI process, median of 3): ${spread(cliTimes, 3, ' s')}   target < 1 s   (node startup alone: ${nodeStartup.toFixed(3)} s)`,
      `    GET /api/v1/logs (server side + transfer, median of 3):  ${median(apiTimes).toFixed(3)} s`,
      `    grep -F over the same lines in a flat file:               ${grepS.toFixed(3)} s   walt-api/grep = ${(median(apiTimes) / grepS).toFixed(2)}`,
      `  realtime latency, POST acknowledged -> line on walt log show --realtime stdout (${latencies.length} lines): median ${(median(latencies) * 1000).toFixed(1)} ms, max ${(Math.max(...latencies) * 1000).toFixed(1)} ms   target < 100 ms`,
    ];
    process.stdout.write(report.join('\n') + '\n');
    const ok = rate >= 50_000 && median(cliTimes) < 1 && median(latencies) < 0.1;
    process.stdout.write(ok ? 'logs bench: targets met\n' : 'logs bench: TARGETS NOT MET\n');
    return ok ? 0 : 1;
  } finally {
    clearTimeout(deadline);
    if (server && server.exitCode === null) {
      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      server.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  }
}


async function realtimeLatencies(env, post, count) {
  const cli = spawn(process.execPath, [WALT, 'log', 'show', '--realtime', '--issuers', 'server', '--streams', '^latency$', '--format', '{line}'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const seen = new Map();
  let buf = '';
  cli.stdout.on('data', (d) => {
    const now = performance.now();
    buf += d;
    const lines = buf.split('\n');
    buf = lines.pop();
    for (const l of lines) seen.set(l, now);
  });
  try {
    // Wait until the realtime session is open: a marker line must come through.
    for (let i = 0; i < 100 && !seen.has('ready'); i++) {
      await post('/api/v1/logs', { stream: 'latency', line: 'ready' });
      await new Promise((r) => setTimeout(r, 100));
    }
    const latencies = [];
    for (let i = 0; i < count; i++) {
      const text = `probe-${i}`;
      await post('/api/v1/logs', { stream: 'latency', line: text });
      const acked = performance.now();
      for (let w = 0; w < 200 && !seen.has(text); w++) await new Promise((r) => setTimeout(r, 1));
      if (!seen.has(text)) throw new Error(`realtime line ${text} not seen within 200 ms`);
      latencies.push(Math.max(0, seen.get(text) - acked) / 1000);
      await new Promise((r) => setTimeout(r, 20));
    }
    return latencies;
  } finally {
    cli.kill();
  }
}

function directSqliteRate(file, total, issuers) {
  const require = createRequire(join(REPO, 'packages/core/package.json'));
  const Database = require('better-sqlite3');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(`CREATE TABLE logs (stream_id INTEGER NOT NULL, ts INTEGER NOT NULL, line TEXT NOT NULL);
           CREATE INDEX logs_ts_idx ON logs(ts); CREATE INDEX logs_stream_ts_idx ON logs(stream_id, ts);`);
  const insert = db.prepare('INSERT INTO logs (stream_id, ts, line) VALUES (?, ?, ?)');
  const streams = issuers * STREAMS_PER_ISSUER;
  let ts = Date.now() * 1000;
  const t0 = performance.now();
  for (let i = 0; i < total; i += 5000) {
    db.transaction(() => {
      for (let j = i; j < Math.min(i + 5000, total); j++) insert.run(j % streams, ts++, line(j));
    })();
  }
  const rate = total / ((performance.now() - t0) / 1000);
  db.close();
  return rate;
}

async function grepQuery(file, issuers, perIssuer, target) {
  const out = createWriteStream(file);
  for (let k = 0; k < issuers.length; k++) {
    let chunk = '';
    for (let i = 0; i < perIssuer; i++) chunk += `12:00:00.000000 ${issuers[k].name}.stream-${i % STREAMS_PER_ISSUER} -> ${line(k * perIssuer + i)}\n`;
    if (!out.write(chunk)) await new Promise((r) => out.once('drain', r));
  }
  await new Promise((r) => out.end(r));
  return median(timeRuns(3, () => execFileSync('grep', ['-F', `${target}.stream-2 ->`, file], { maxBuffer: 256 * 1024 * 1024 })));
}

function timeRuns(n, fn) {
  const times = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    fn();
    times.push((performance.now() - t) / 1000);
  }
  return times;
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function fmt(n) {
  return Math.round(n).toLocaleString('en');
}
