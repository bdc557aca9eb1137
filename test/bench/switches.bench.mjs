// Switches benchmark (npm run bench -- switches): `walt device rescan` of 20 simulated 48-port
// switches (LLDP-MIB with 46 neighbours each, a forwarding table of 96 entries, IF-MIB) through a
// real walt-server, side by side with the established tool: a sequential `snmpbulkwalk` of the same
// tables (lldpRemTable, lldpRemManAddrTable, dot1qTpFdbTable, ifPhysAddress) on the same agents.
// Target (issue 5): rescan time <= half the sequential walk's time (switches scanned concurrently,
// GetBulk walks). The agents are net-snmp agents in this process, on their own loopback address and
// port 161 (like real switches), so this needs root.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { listeningPort } from './bench-network.mjs';
import { loadLine, median, printLoad, spread } from './bench-stats.mjs';

const run = promisify(execFile);
const REPO = resolve(import.meta.dirname, '..', '..');
const WALT_SERVER = join(REPO, 'packages/server/dist/bin/walt-server.js');
const SWITCHES = Number(process.env.WALT_BENCH_SWITCHES ?? 20);
const PORTS = 48;
const ROUNDS = Number(process.env.WALT_BENCH_ROUNDS ?? 3);
const NET = '127.0.90';
const DEADLINE_MS = 5 * 60_000;
const TABLES = ['1.0.8802.1.1.2.1.4.1', '1.0.8802.1.1.2.1.4.2', '1.3.6.1.2.1.17.7.1.2.2', '1.3.6.1.2.1.2.2.1.6'];

const hex = (n) => n.toString(16).padStart(2, '0');

export default async function switchesBench() {
  printLoad('switches');
  if (process.getuid?.() !== 0) {
    process.stderr.write('switches bench: needs root (simulated switches listen on 127.0.90.x:161)\n');
    return 2;
  }
  const { SimulatedSwitch } = await import(pathToFileURL(join(REPO, 'packages/sdk/dist/testing/index.js')).href);
  const dir = mkdtempSync(join(tmpdir(), 'walt-bench-switches-'));
  const sims = [];
  let server;
  const deadline = setTimeout(() => {
    process.stderr.write(`switches bench: aborted after ${DEADLINE_MS / 1000} s\n`);
    server?.kill('SIGKILL');
    process.exit(1);
  }, DEADLINE_MS);
  deadline.unref();
  try {
    const swMac = (s) => `02:90:00:00:00:${hex(s + 2)}`;
    sims.push(
      await SimulatedSwitch.start({
        host: `${NET}.1`,
        port: 161,
        mac: 'aa:bb:cc:90:00:01',
        sysName: 'walt-server',
        neighbors: Array.from({ length: SWITCHES }, (_, s) => ({ port: s + 1, mac: swMac(s), ip: `${NET}.${s + 2}`, sysName: `bench-sw${s + 1}`, bridge: true })),
      }),
    );
    for (let s = 0; s < SWITCHES; s++) {
      const nodes = Array.from({ length: PORTS - 2 }, (_, p) => ({ port: p + 1, mac: `b8:27:${hex(s)}:00:00:${hex(p + 1)}`, ip: `10.90.${s}.${p + 10}`, sysName: `node-${s}-${p + 1}` }));
      sims.push(
        await SimulatedSwitch.start({
          host: `${NET}.${s + 2}`,
          port: 161,
          mac: swMac(s),
          sysName: `bench-sw${s + 1}`,
          ports: PORTS,
          neighbors: [...nodes, { port: PORTS, mac: 'aa:bb:cc:90:00:01', ip: `${NET}.1`, sysName: 'walt-server' }],
          fdb: [...nodes.map((n) => ({ mac: n.mac, port: n.port })), ...nodes.map((n) => ({ mac: n.mac.replace('b8:27', 'b8:28'), port: n.port })), { mac: 'aa:bb:cc:90:00:01', port: PORTS }],
        }),
      );
    }
    writeFileSync(join(dir, 'server.conf'), `network:\n  walt-net:\n    raw-device: null\n    ip: ${NET}.1/24\napi:\n  port: 0\n`);
    server = spawn(process.execPath, [WALT_SERVER, 'start', '--config', join(dir, 'server.conf'), '--data-dir', join(dir, 'data')], { stdio: ['ignore', 'pipe', 'pipe'] });
    const port = await listeningPort(server);
    // The bench user's token (trust on first use).
    const claimed = await fetch(`http://127.0.0.1:${port}/api/v1/users/claim`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'bench' }) });
    const { token } = await claimed.json();
    const call = async (method, path, body) => {
      const res = await fetch(`http://127.0.0.1:${port}${path}`, {
        method,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
      return res.json();
    };
    // Discovery: the server's LLDP agent lists the 20 switches; then allow exploring them all.
    await call('POST', '/api/v1/switches/rescan', { set: 'server' });
    const r = await call('POST', '/api/v1/device-config', { set: 'all-switches', settings: ['snmp.version=2', 'snmp.community=private', 'lldp.explore=true'], nodes: false });
    if (!r) throw new Error('device config failed');

    // Interleaved: each round a rescan, then the sequential walk (round 0: the cold rescan, not counted).
    const rescanTimes = [];
    const walkTimes = [];
    let cold;
    let varbinds = 0;
    for (let i = 0; i <= ROUNDS; i++) {
      const t0 = performance.now();
      const result = await call('POST', '/api/v1/switches/rescan', { set: 'server,explorable-switches' });
      const ms = performance.now() - t0;
      const ok = result.lines.filter((l) => / OK$/.test(l)).length;
      if (ok !== SWITCHES + 1) throw new Error(`rescan: ${ok} devices OK, expected ${SWITCHES + 1}:\n${result.lines.join('\n')}`);
      if (i === 0) {
        cold = ms; // includes probing every driver on every switch
        continue;
      }
      rescanTimes.push(ms);
      const t1 = performance.now();
      varbinds = 0;
      for (let s = 0; s < SWITCHES; s++) {
        for (const table of TABLES) {
          const { stdout } = await run('snmpbulkwalk', ['-v2c', '-c', 'private', '-On', '-Cr50', `${NET}.${s + 2}:161`, table], { maxBuffer: 64 << 20 });
          varbinds += stdout.split('\n').filter(Boolean).length;
        }
      }
      walkTimes.push(performance.now() - t1);
    }
    const { devices } = await call('GET', '/api/v1/devices');
    const unknownNodes = devices.filter((d) => d.type === 'unknown').length;

    const rescan = median(rescanTimes);
    const walk = median(walkTimes);
    const lines = [
      `switches bench: ${SWITCHES} simulated switches x ${PORTS} ports (${PORTS - 2} LLDP neighbours, ${2 * (PORTS - 2) + 1} forwarding entries each)`,
      `  walt device rescan (server API, probes cached)  ${spread(rescanTimes, 0, ' ms')}`,
      `  walt device rescan, first run (probing drivers)  ${cold.toFixed(0)} ms`,
      `  sequential snmpbulkwalk of the same tables      ${spread(walkTimes, 0, ' ms')} (${varbinds} varbinds, ${SWITCHES * TABLES.length} walks)`,
      `  (median (min..max, n=rounds), rescan and walk interleaved; ${loadLine()} after)`,
      `  ratio rescan / sequential walk: ${(rescan / walk).toFixed(2)} (target <= 0.50) -> ${rescan / walk <= 0.5 ? 'MET' : 'NOT MET'}`,
      `  (devices registered from LLDP: ${devices.length}, of type unknown: ${unknownNodes})`,
    ];
    process.stdout.write(lines.join('\n') + '\n');
    return rescan / walk <= 0.5 ? 0 : 1;
  } finally {
    server?.kill('SIGTERM');
    for (const s of sims) await s.close();
    rmSync(dir, { recursive: true, force: true });
    clearTimeout(deadline);
  }
}

