import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, startServer, WALT_BIN, type ServerHandle } from '../../helpers/walt-processes.js';
import { authHeaders, userToken } from '../../helpers/api-token.js';

/** `walt log ...` against a real walt-server: history ranges, filters, format, checkpoints, wait, realtime. */

const NODE_MAC = 'b8:27:eb:f2:67:82';
const NODE2_MAC = 'b8:27:eb:00:00:02';

describe('walt log against a running server', () => {
  let server: ServerHandle;
  let base: string;
  const post = async (path: string, body: unknown) => {
    const res = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', ...(await authHeaders(base, 'alice')) }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const ingest = async (records: Array<{ stream: string; line: string; ts?: number }>, issuer?: string) => {
    const r = await post('/api/v1/logs', { issuer, records });
    expect(r.status).toBe(200);
  };
  const nowS = () => Date.now() / 1000;
  const oneLineError = (r: { code: number; stderr: string }, text: string) => {
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(text);
  };

  beforeAll(async () => {
    server = await startServer({ env: { TZ: 'UTC' } });
    base = `http://${server.address}`;
    // Nodes registered through the registration entry point; alice owns none (they boot default images).
    for (const [mac, ip] of [
      [NODE_MAC, '192.168.152.14'],
      [NODE2_MAC, '192.168.152.15'],
    ]) {
      const r = await post('/api/v1/devices/register', { mac, ip, vendorClass: 'walt.node.rpi-3-b-plus' });
      expect(r.status).toBe(200);
    }
    await post('/api/v1/devices/register', { mac: '02:11:22:18:d5:5d', ip: '192.168.152.30' });
  });
  afterAll(async () => {
    await server?.stop({ cleanup: true });
  });

  it('shows the new node line under --platform --history -5m:', async () => {
    const r = await server.walt(['log', 'show', '--platform', '--history', '-5m:']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')).toContainEqual(
      expect.stringMatching(/^\d\d:\d\d:\d\d\.\d{6} walt-server\.platform\.devices -> new node name=node-f26782 model=rpi-3-b-plus mac=b8:27:eb:f2:67:82 ip=192\.168\.152\.14$/),
    );
    expect(r.stdout).toMatch(/walt-server\.platform\.devices -> new device name=unknown-18d55d type=unknown mac=02:11:22:18:d5:5d ip=192\.168\.152\.30/);
  });

  it('selects history ranges with strict bounds, relative dates and checkpoints', async () => {
    const t = Math.floor(nowS());
    await ingest(
      [
        { stream: 'range', line: 'two hours ago', ts: t - 7200 },
        { stream: 'range', line: 'thirty minutes ago', ts: t - 1800 },
        { stream: 'range', line: 'two minutes ago', ts: t - 120 },
        { stream: 'range', line: 'at the checkpoint', ts: t - 600 },
      ],
      NODE_MAC,
    );
    const show = async (range: string) => {
      const r = await server.walt(['log', 'show', '--issuers', 'all-nodes', '--streams', '^range$', '--history', range, '--format', '{line}']);
      expect(r.stderr).toBe('');
      return r.stdout.trim().split('\n').filter(Boolean);
    };
    expect(await show('full')).toEqual(['two hours ago', 'thirty minutes ago', 'at the checkpoint', 'two minutes ago']);
    expect(await show('-1h:')).toEqual(['thirty minutes ago', 'at the checkpoint', 'two minutes ago']);
    expect(await show(':-1h')).toEqual(['two hours ago']);
    expect(await show('-1h:-5m')).toEqual(['thirty minutes ago', 'at the checkpoint']);
    const cpDate = new Date((t - 600) * 1000).toISOString().slice(0, 19).replace('T', ' ');
    expect((await server.walt(['log', 'add-checkpoint', '--date', cpDate, 'cp10m'])).code).toBe(0);
    // strict: the line stamped exactly at the checkpoint is on neither side
    expect(await show('cp10m:')).toEqual(['two minutes ago']);
    expect(await show(':cp10m')).toEqual(['two hours ago', 'thirty minutes ago']);
  });

  it('refuses bad ranges, regexps, issuers and formats in one line', async () => {
    oneLineError(await server.walt(['log', 'show']), 'You must specify at least 1 of the options --realtime and --history.');
    oneLineError(await server.walt(['log', 'show', '--issuers', 'server', '--history', 'a:b:c']), "Invalid HISTORY_RANGE. See 'walt help show log-history' for more info.");
    oneLineError(await server.walt(['log', 'show', '--issuers', 'server', '--history', '-5y:']), "Invalid relative date. Should be: -<int>[dhms] (e.g. '-6h' for 'six hours ago')");
    oneLineError(await server.walt(['log', 'show', '--issuers', 'server', '--history', 'nosuchcp:']), "Error: no checkpoint with this name 'nosuchcp'.");
    oneLineError(await server.walt(['log', 'show', '--issuers', 'server', '--history', '-1m:-5m']), 'the starting point is newer than the ending point');
    oneLineError(await server.walt(['log', 'show', '--issuers', 'server', '--history', 'full', 'a(']), 'Invalid regular expression: a(.');
    oneLineError(await server.walt(['log', 'show', '--issuers', 'server', '--history', 'full', '--streams', '[[:nope:]]']), 'Invalid regular expression: [[:nope:]].');
    oneLineError(await server.walt(['log', 'show', '--history', 'full']), 'No matching devices found!');
    oneLineError(await server.walt(['log', 'show', '--history', 'full', '--issuers', 'nosuch']), "No device with name 'nosuch' found.");
    oneLineError(await server.walt(['log', 'show', '--history', 'full', '--issuers', 'unknown-18d55d']), "Invalid value 'unknown-18d55d'; allowed devices belong to 'server,all-nodes'");
    oneLineError(await server.walt(['log', 'show', '--history', 'full', '--platform', '--streams', 'x']), "option '--platform' cannot be used with option '--streams");
    oneLineError(await server.walt(['log', 'show', '--history', 'full', '--issuers', 'server', '--format', '{nope}']), 'Could not display the log record. Verify your format string.');
  });

  it('filters on issuers, streams (regexp) and line content (regexp)', async () => {
    await ingest([{ stream: 'filter.a', line: 'alpha 1' }, { stream: 'filter.b', line: 'beta 2' }, { stream: 'filter.a', line: 'alpha 3' }], NODE_MAC);
    await ingest([{ stream: 'filter.a', line: 'alpha from node 2' }], NODE2_MAC);
    const show = async (...args: string[]) => {
      const r = await server.walt(['log', 'show', '--history', 'full', '--format', '{issuer} {stream} {line}', ...args]);
      expect(r.stderr).toBe('');
      return r.stdout.trim().split('\n').filter(Boolean);
    };
    expect(await show('--issuers', 'node-f26782', '--streams', 'filter')).toEqual(['node-f26782 filter.a alpha 1', 'node-f26782 filter.b beta 2', 'node-f26782 filter.a alpha 3']);
    expect(await show('--nodes', 'all-nodes', '--streams', '^filter\\.a$', 'alpha [[:digit:]]')).toEqual(['node-f26782 filter.a alpha 1', 'node-f26782 filter.a alpha 3']);
    expect(await show('--emitters', 'node-f26782,node-000002', '--streams', 'filter.a', 'node')).toEqual(['node-000002 filter.a alpha from node 2']);
  });

  it('formats timestamps with strftime, %s.%f for POSIX time', async () => {
    await ingest([{ stream: 'fmt', line: 'formatted', ts: 1_700_000_000.25 }], NODE_MAC);
    const r = await server.walt(['log', 'show', '--issuers', 'node-f26782', '--streams', '^fmt$', '--history', 'full', '--format', '{timestamp:%s.%f} {timestamp:%Y-%m-%d %H:%M:%S} {issuer}.{stream} -> {line}']);
    expect(r.stdout).toBe('1700000000.250000 2023-11-14 22:13:20 node-f26782.fmt -> formatted\n');
    const d = await server.walt(['log', 'show', '--issuers', 'node-f26782', '--streams', '^fmt$', '--history', 'full']);
    expect(d.stdout).toBe('22:13:20.250000 node-f26782.fmt -> formatted\n');
  });

  it('records, lists and removes checkpoints per user, with the original messages', async () => {
    const add = await server.walt(['log', 'add-checkpoint', 'exp1'], { user: 'carol' });
    expect(add.code).toBe(0);
    expect(add.stdout).toMatch(/^New checkpoint exp1 recorded at server time: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?\.\n$/);
    oneLineError(await server.walt(['log', 'add-checkpoint', 'exp1'], { user: 'carol' }), 'Error: a checkpoint with this name already exists.');
    oneLineError(await server.walt(['log', 'add-checkpoint', 'x_y'], { user: 'carol' }), 'Invalid checkpoint name');
    oneLineError(await server.walt(['log', 'add-checkpoint', '--date', 'yesterday', 'exp2'], { user: 'carol' }), 'Could not parse the date specified.');
    expect((await server.walt(['log', 'add-checkpoint', '--date', '-1h', 'exp0'], { user: 'carol' })).code).toBe(0);
    const list = await server.walt(['log', 'list-checkpoints'], { user: 'carol' });
    expect(list.stdout.split('\n').slice(0, 2)).toEqual([expect.stringMatching(/^timestamp\s+name$/), expect.stringMatching(/^-+\s+-+$/)]);
    expect(list.stdout.trim().split('\n').slice(2).map((l) => l.split(/\s+/).pop())).toEqual(['exp0', 'exp1']);
    const json = JSON.parse((await server.walt(['log', 'list-checkpoints', '--json'], { user: 'carol' })).stdout) as Array<{ name: string }>;
    expect(json.map((c) => c.name)).toEqual(['exp0', 'exp1']);
    expect((await server.walt(['log', 'list-checkpoints'], { user: 'dave' })).stdout).toBe('You own no checkpoints.\n');
    expect((await server.walt(['log', 'remove-checkpoint', 'exp1'], { user: 'carol' })).stdout).toBe('Done.\n');
    oneLineError(await server.walt(['log', 'remove-checkpoint', 'exp1'], { user: 'carol' }), "Error: no checkpoint with this name 'exp1'.");
  });

  it('log wait: returns on a matching line, and says so on timeout', async () => {
    const waiting = server.walt(['log', 'wait', '--issuers', 'node-f26782', '--timeout', '20', 'booted [0-9]+']);
    await new Promise((r) => setTimeout(r, 1500));
    await ingest([{ stream: 'wait', line: 'not this one' }, { stream: 'wait', line: 'booted 42' }], NODE_MAC);
    const r = await waiting;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/node-f26782\.wait -> booted 42\n$/);
    const t0 = Date.now();
    const timeout = await server.walt(['log', 'wait', '--issuers', 'node-f26782', '--timeout', '1', 'never-ever']);
    oneLineError(timeout, 'Timeout was reached.');
    expect(Date.now() - t0).toBeLessThan(15_000);
    // --time-margin also looks at recent lines
    const past = await server.walt(['log', 'wait', '--issuers', 'node-f26782', '--time-margin', '60', '--timeout', '10', 'booted 42']);
    expect(past.code).toBe(0);
  });

  it('log wait --mode ALL waits for one matching line per issuer', async () => {
    const waiting = server.walt(['log', 'wait', '--mode', 'all', '--issuers', 'node-f26782,node-000002', '--timeout', '20', '--format', '{issuer}', 'ready']);
    await new Promise((r) => setTimeout(r, 1500));
    await ingest([{ stream: 'w', line: 'ready' }], NODE_MAC);
    await ingest([{ stream: 'w', line: 'ready again' }], NODE_MAC);
    await ingest([{ stream: 'w', line: 'ready' }], NODE2_MAC);
    const r = await waiting;
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual(['node-f26782', 'node-f26782', 'node-000002']);
    oneLineError(await server.walt(['log', 'wait', '--mode', 'some', 'x']), "invalid --mode 'some' (expected ANY or ALL)");
  });

  it('realtime: history first, then live lines, none lost or repeated; a line shows within 100 ms of its acknowledgement', async () => {
    await ingest([{ stream: 'rt', line: 'before' }], NODE_MAC);
    const cli = spawn(process.execPath, [WALT_BIN, 'log', 'show', '--realtime', '--history', '-1h:', '--issuers', 'node-f26782', '--streams', '^rt$', '--format', '{line}'], {
      cwd: REPO,
      env: { ...process.env, WALT_SERVER: server.address, WALT_USER: 'alice', WALT_TOKEN: await userToken(server.address, 'alice'), WALT_CONFIG_FILE: join(server.dataDir, 'no-config') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const seen: Array<{ line: string; at: number }> = [];
    let buf = '';
    cli.stdout.on('data', (d: Buffer) => {
      const at = performance.now();
      buf += d;
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const line of lines) seen.push({ line, at });
    });
    const waitFor = async (line: string, ms: number) => {
      for (let i = 0; i < ms && !seen.some((s) => s.line === line); i++) await new Promise((r) => setTimeout(r, 1));
      return seen.find((s) => s.line === line);
    };
    try {
      expect(await waitFor('before', 10_000)).toBeDefined();
      const latencies: number[] = [];
      for (let i = 0; i < 5; i++) {
        await ingest([{ stream: 'rt', line: `live ${i}` }], NODE_MAC);
        const acked = performance.now();
        const s = await waitFor(`live ${i}`, 2000);
        expect(s, `live ${i} not shown`).toBeDefined();
        latencies.push(s!.at - acked);
      }
      // The bound; the median of 5 keeps a one-off scheduling hiccup of a busy CI box out.
      latencies.sort((a, b) => a - b);
      expect(latencies[2]).toBeLessThan(100);
      expect(seen.map((s) => s.line)).toEqual(['before', 'live 0', 'live 1', 'live 2', 'live 3', 'live 4']);
    } finally {
      cli.kill();
    }
  });

  it('refuses bad ingestion input and stores nothing of a refused batch', async () => {
    const bad = [
      [{ records: [{ stream: 'ok', line: 'fine' }, { stream: 'ok', line: 7 }] }, 'records[1].line: missing'],
      [{ records: [{ stream: 'has space', line: 'x' }] }, 'invalid stream name'],
      [{ stream: 'ok', line: 'a\nb' }, 'contains a newline'],
      [{ stream: 'ok', line: 'x', ts: 'soon' }, 'ts: expected a number'],
      [{ issuer: 'no-such-device', stream: 'ok', line: 'x' }, "No device with MAC or name 'no-such-device' found."],
      [[1, 2], 'expected a JSON object'],
    ] as const;
    for (const [body, message] of bad) {
      const r = await post('/api/v1/logs', body);
      expect(r.status).toBeGreaterThanOrEqual(400);
      expect((r.body.error as { message: string }).message).toContain(message);
    }
    const r = await server.walt(['log', 'show', '--issuers', 'server', '--streams', '^ok$', '--history', 'full']);
    expect(r.stdout).toBe('');
    // the server is still there
    expect((await server.walt(['log', 'show', '--platform', '--history', '-1m:'])).code).toBe(0);
  });
});
