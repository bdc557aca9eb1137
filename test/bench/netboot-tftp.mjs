// TFTP throughput: a 30 MiB file to 1 and to 20 parallel clients, over a veth into a server network
// namespace. Same run, same block size (1468): walt-server's TFTP (the real server, serving its
// static boot folder to an unregistered client address) and tftpd-hpa (in.tftpd), each fetched by
// two stock C clients: busybox tftp (lock-step) and atftp (RFC 7440: it can ask for windowsize).
// Then walt-server with windowsize, against tftpd-hpa at the same block size (it has no windowsize).
// Rounds alternate the servers and their order; the median of each is printed, with the ratios and the
// load average (other work on the machine shows there; the 20-client rows raise it themselves).
// `npm run bench -- netboot [--tftp-rounds N (5)] [--tftp-clients N (20)] [--tftp-window W] [--tftp-only busybox] [--tftp-sizes 1,20]`; walt-server's
// transfer engine can be chosen to compare: [--tftp-engine native|threads] [--tftp-busy-poll US] [--tftp-workers N (event threads)].
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchNames, setupBenchNetwork, startDaemonIn, stopDaemon, teardownBenchNetwork } from './bench-network.mjs';
import { cpuGroup, cpuWithChildrenMs, printLoad, spread } from './bench-stats.mjs';

const HERE = fileURLToPath(import.meta.url);
const REPO = resolve(dirname(HERE), '..', '..');
const WALT_SERVER = join(REPO, 'packages/server/dist/bin/walt-server.js');
const NAMES = benchNames('t');
const SRV = NAMES.srv;
const CL = NAMES.cl;
const BR = NAMES.bridge;
const SERVER_IP = '192.168.210.1';
const FILE_SIZE = 30 * 1024 * 1024;
const HPA_PORT = 1069;
const NET = { ...NAMES, serverCidr: `${SERVER_IP}/24`, clientCidr: '192.168.210.200/24' };
const setupNetwork = () => setupBenchNetwork(NET);
const teardownNetwork = () => teardownBenchNetwork(NET);
const startDaemon = (args, ready) => startDaemonIn(SRV, args, ready);

/** Run `n` clients at once in the client namespace; resolves with the wall time in seconds. */
function runClients(n, command) {
  return new Promise((resolvePromise, reject) => {
    const started = process.hrtime.bigint();
    let left = n;
    let failed;
    for (let i = 0; i < n; i++) {
      const c = spawn('ip', ['netns', 'exec', CL, ...command(i)], { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      c.stderr.on('data', (d) => (err += d));
      const timer = setTimeout(() => c.kill('SIGKILL'), 120_000);
      c.on('exit', (code) => {
        clearTimeout(timer);
        if (code !== 0) failed ??= new Error(`client ${command(i).join(' ')} exited ${code}: ${err.slice(-300)}`);
        if (--left === 0) {
          const s = Number(process.hrtime.bigint() - started) / 1e9;
          if (failed) reject(failed);
          else resolvePromise(s);
        }
      });
    }
  });
}

const BLKSIZE = '1468';
const busybox = (port, out = '/dev/null') => () => ['busybox', 'tftp', '-g', '-b', BLKSIZE, '-r', 'big.bin', '-l', out, SERVER_IP, String(port)];
/** atftp (C, RFC 7440); window 0: no windowsize option (lock-step). */
const atftp = (port, window, out = '/dev/null') => () => [
  'atftp', '--option', `blksize ${BLKSIZE}`, ...(window ? ['--option', `windowsize ${window}`] : ['--option', 'windowsize disable']),
  '-g', '-r', 'big.bin', '-l', out, SERVER_IP, String(port),
];

const mibps = (clients, seconds) => (clients * FILE_SIZE) / (1024 * 1024) / seconds;

function option(args, name, dflt) {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? Number(args[i + 1]) : dflt;
}

export default async function netbootTftp(args = []) {
  if (process.getuid?.() !== 0) {
    console.log('netboot-tftp: needs root (network namespaces): skipped');
    return 0;
  }
  for (const cmd of ['busybox', 'in.tftpd', 'atftp']) {
    try {
      execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    } catch {
      console.log(`netboot-tftp: ${cmd} is missing (Debian packages busybox, tftpd-hpa, atftp): skipped`);
      return 0;
    }
  }
  const rounds = option(args, '--tftp-rounds', 5);
  // --tftp-only busybox: only the busybox rows; --tftp-sizes 20: only the 20-client rows (1,20 by default)
  const only = args.includes('--tftp-only') ? args[args.indexOf('--tftp-only') + 1] : undefined;
  const sizesAt = args.indexOf('--tftp-sizes');
  const many = option(args, '--tftp-clients', 20);
  const window = option(args, '--tftp-window', 32);
  const engineAt = args.indexOf('--tftp-engine');
  const engine = engineAt >= 0 ? args[engineAt + 1] : undefined;
  const busyPoll = option(args, '--tftp-busy-poll', undefined);
  const workers = option(args, '--tftp-workers', undefined);
  const work = mkdtempSync(join(tmpdir(), 'walt-bench-tftp-'));
  const dataDir = join(work, 'data');
  const hpaRoot = join(work, 'hpa');
  mkdirSync(join(dataDir, 'tftp-static'), { recursive: true });
  mkdirSync(hpaRoot);
  const content = Buffer.alloc(FILE_SIZE);
  for (let i = 0; i < FILE_SIZE; i += 4) content.writeUInt32LE((i * 2654435761) >>> 0, i);
  writeFileSync(join(dataDir, 'tftp-static', 'big.bin'), content);
  writeFileSync(join(hpaRoot, 'big.bin'), content);
  writeFileSync(
    join(work, 'server.conf'),
    `network:\n  walt-net:\n    raw-device: ${BR}\n    ip: ${SERVER_IP}/24\napi:\n  port: 0\n` +
      `services:\n  tftp: {${[engine && `engine: ${engine}`, busyPoll !== undefined && `busy-poll-us: ${busyPoll}`, workers !== undefined && `workers: ${workers}`].filter(Boolean).join(', ')}}\n`,
  );
  // Each configuration: a client command per server (undefined: not applicable).
  const configs = [
    { name: 'busybox (lock-step)', hpa: busybox(HPA_PORT), walt: busybox(69) },
    { name: 'atftp (lock-step)', hpa: atftp(HPA_PORT, 0), walt: atftp(69, 0) },
    { name: `atftp windowsize ${window}`, hpa: undefined, walt: atftp(69, window) },
  ].filter((c) => !only || c.name.startsWith(only));
  setupNetwork();
  let walt;
  let hpa;
  let transfersOn;
  const results = {};
  const cpu = {};
  const groups = [];
  const record = (key, seconds) => (results[key] ??= []).push(seconds);
  printLoad('netboot-tftp');
  const loadBefore = loadavg();
  const started = Date.now();
  try {
    walt = await startDaemon(['node', WALT_SERVER, 'start', '--config', join(work, 'server.conf'), '--data-dir', dataDir], /TFTP server listening[^\n]*\n/);
    transfersOn = /transfers on ([^\n]*)\)\n/.exec(walt.output?.() ?? '')?.[1];
    hpa = await startDaemon(['in.tftpd', '-L', '-a', `${SERVER_IP}:${HPA_PORT}`, '-s', hpaRoot], null);
    // Warm up the page cache and both servers, and check that every client gets the right bytes.
    const check = join(work, 'check.bin');
    const verify = async (cmd, what) => {
      rmSync(check, { force: true });
      await runClients(1, cmd);
      if (!readFileSync(check).equals(content)) throw new Error(`${what}: wrong bytes received`);
    };
    await verify(busybox(69, check), 'walt-server, busybox');
    await verify(busybox(HPA_PORT, check), 'tftpd-hpa, busybox');
    await verify(atftp(69, window, check), `walt-server, atftp windowsize ${window}`);
    await verify(atftp(HPA_PORT, 0, check), 'tftpd-hpa, atftp');
    // Single transfers are short and noisier: three times the rounds. Odd rounds run walt-server first.
    // Bounded: no new round starts after 8 minutes (the medians use the rounds done).
    const deadline = Date.now() + 8 * 60_000;
    // CPU of each server during each run: its cpuacct group (children included), else /proc (children it reaped)
    const counters = Object.fromEntries(
      Object.entries({ walt, hpa }).map(([k, d]) => {
        const group = cpuGroup(`tftp-${k}`, d.pid);
        if (group) groups.push(group);
        return [k, group ? group.ms : () => cpuWithChildrenMs(d.pid)];
      }),
    );
    for (const n of sizesAt >= 0 ? String(args[sizesAt + 1]).split(',').map(Number) : [1, many]) {
      const times = n === 1 ? 3 * rounds : rounds;
      for (let r = 0; r < times && (r === 0 || Date.now() < deadline); r++) {
        for (const [c, config] of configs.entries()) {
          const runs = [['hpa', config.hpa], ['walt', config.walt]].filter(([, cmd]) => cmd);
          if (r % 2) runs.reverse();
          for (const [server, cmd] of runs) {
            // the server's CPU during the run (tftpd-hpa: its reaped per-transfer children included)
            const before = counters[server]();
            record(`${server}-${c}-${n}`, await runClients(n, cmd));
            await new Promise((r) => setTimeout(r, 50)); // let tftpd-hpa reap its last children
            (cpu[`${server}-${c}-${n}`] ??= []).push((counters[server]() - before) / ((n * FILE_SIZE) / 2 ** 20));
          }
        }
      }
    }
  } finally {
    await stopDaemon(walt);
    await stopDaemon(hpa);
    for (const g of groups) g.remove();
    teardownNetwork();
    rmSync(work, { recursive: true, force: true });
  }
  const loadAfter = loadavg();
  const load = (l) => l.map((x) => x.toFixed(2)).join(' ');
  console.log(`\nTFTP: 30 MiB file, blksize ${BLKSIZE}, clients in a network namespace over a veth, servers interleaved (the order alternates)`);
  console.log(`load average before: ${load(loadBefore)}, after: ${load(loadAfter)} (${availableParallelism()} cores), ${((Date.now() - started) / 1000).toFixed(0)} s`);
  console.log(`walt-server transfers on ${transfersOn ?? '(not reported)'}`);
  console.log('Throughput (MiB/s, all clients together): median (min..max, rounds); server CPU ms per MiB sent: median (min..max)');
  const rates = (key, n) => (results[key] ?? []).map((s) => mibps(n, s));
  const med = (xs) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] : undefined);
  for (const key of Object.keys(results).filter((k) => k.startsWith('walt-'))) {
    const [, c, n] = key.split('-');
    const config = configs[Number(c)];
    const h = rates(`hpa-${c}-${n}`, Number(n));
    const w = rates(key, Number(n));
    const ratio = h.length ? `${(med(w) / med(h)).toFixed(2)}x` : '- (no tftpd-hpa row)';
    console.log(`  ${String(n).padStart(2)} client(s), ${config.name}`);
    console.log(`      tftpd-hpa    ${spread(h, 1).padEnd(30)} CPU ${spread(cpu[`hpa-${c}-${n}`] ?? [], 2)} ms/MiB`);
    console.log(`      walt-server  ${spread(w, 1).padEnd(30)} CPU ${spread(cpu[key] ?? [], 2)} ms/MiB`);
    console.log(`      ratio walt-server/tftpd-hpa of the medians: ${ratio}`);
  }
  return 0;
}

if (process.argv[1] === HERE) {
  netbootTftp(process.argv.slice(2)).then((c) => (process.exitCode = c));
}
