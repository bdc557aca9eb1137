// DHCP boot storm: N clients (200 and 500 by default; half send vendor class walt.node.rpi-3-b-plus,
// half nothing) each DISCOVER -> OFFER -> REQUEST -> ACK, 64 in flight at once, from dhcp-storm
// (dhcp-storm/dhcp-storm.c: one C process on an AF_PACKET socket, no address on its interface, so the
// client is not the bottleneck), in a client namespace over a bridge in a server namespace.
// Against walt-server (registering every client) and dnsmasq --no-ping, interleaved (A, B, B, A...),
// each round on a fresh server. Prints the load first, then per server the median with min..max of the
// storm time (first DISCOVER to last ACK) and of the per-client p50, p99 and max, retransmissions, and
// the ratio of the medians.
// The storm client's own CPU time is printed beside the storm time (it must stay small: then the time
// is the server's). --capture adds a second clock: tcpdump on the client's interface, the storm time
// between the kernel's timestamps of the first DISCOVER and the last ACK, and each client's time split
// into the server's part (DISCOVER->OFFER + REQUEST->ACK) and the client's (OFFER->REQUEST).
// Each round also splits walt-server's CPU by thread name (main: the event loop; node: V8's platform
// threads, compilation and GC). WALT_BENCH_WALT_VARIANTS adds other builds of walt-server to the same
// rounds, WALT_BENCH_NODE_ARGS adds Node options, WALT_BENCH_SERVER_OUTPUT keeps what it printed.
// `npm run bench -- netboot-dhcp [--clients 200,500] [--rounds 5] [--concurrency 64] [--data-on disk|shm] [--capture] [--warm-up N] [--retry MS] [--save results.json]`
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { dhcpMessagesOfPcap, wireTimes } from './dhcp-storm/dhcp-wire-times.mjs';
import { benchNames, setupBenchNetwork, startDaemonIn, stopDaemon, teardownBenchNetwork } from './bench-network.mjs';
import { cpuByThreadName, cpuMs, loadLine, mainThreadSchedMs, median, printLoad, spread, threadCpuText } from './bench-stats.mjs';

const HERE = fileURLToPath(import.meta.url);
const REPO = resolve(dirname(HERE), '..', '..');
const STORM_SOURCE = join(dirname(HERE), 'dhcp-storm', 'dhcp-storm.c');
const WALT_SERVER = join(REPO, 'packages/server/dist/bin/walt-server.js');
const NAMES = benchNames('d');
const NET = { ...NAMES, serverCidr: '192.168.200.1/22', broadcastRoutes: true };
// Two minutes to start: at load 15-24 walt-server did not print its ready line within the default 30 s.
const startDaemon = (args, ready) => startDaemonIn(NAMES.srv, args, ready, 120_000);
const VENDOR_CLASS = 'walt.node.rpi-3-b-plus';
// Where both servers keep their leases (dnsmasq's lease file, walt-server's data directory): the same
// file system for both, since both make a lease durable before its ACK (dnsmasq fsyncs its lease file).
// --data-on shm puts both on /dev/shm (tmpfs) to measure without the disk's fsync.
let dataRoot = tmpdir();
// The clients' retransmission timer (ms). 500 as udhcpc's first retry; --retry 50 makes the clients
// retransmit while the server is still answering, so a quiet machine shows what a busy one does to it.
let retryMs = 500;

/** Compile dhcp-storm.c (once per source version) into the temporary folder; returns the binary. */
export function buildStormClient() {
  const source = readFileSync(STORM_SOURCE);
  const binary = join(tmpdir(), `walt-dhcp-storm-${createHash('sha256').update(source).digest('hex').slice(0, 12)}`);
  if (!existsSync(binary)) execFileSync('gcc', ['-O2', '-Wall', '-o', binary, STORM_SOURCE], { stdio: 'inherit' });
  return binary;
}

/**
 * tcpdump on the client's eth0 into `file`, DHCP only; resolves with stop() (resolves with the number of
 * frames the kernel dropped) once it listens.
 */
function startCapture(file) {
  const child = spawn('ip', ['netns', 'exec', NAMES.cl, 'tcpdump', '-i', 'eth0', '-n', '-U', '-B', '8192', '-s', '600', '-w', file, 'udp and (port 67 or port 68)'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  return new Promise((resolveStart, reject) => {
    const timer = setTimeout(() => reject(new Error(`tcpdump did not start: ${err}`)), 10_000);
    child.on('exit', (code) => reject(new Error(`tcpdump exited (${code}): ${err}`)));
    child.stderr.on('data', () => {
      if (!/listening on/.test(err)) return;
      clearTimeout(timer);
      resolveStart({
        stop: () =>
          new Promise((resolveStop) => {
            child.removeAllListeners('exit');
            child.on('exit', () => resolveStop(Number(/(\d+) packets? dropped by kernel/.exec(err)?.[1] ?? NaN)));
            child.kill('SIGINT');
          }),
      });
    });
  });
}

/** One storm; resolves with dhcp-storm's result ({ leased, elapsedMs, p50Ms, p99Ms, maxMs, retransmissions, clientCpuMs, clients }), plus the wire times with --capture. */
async function storm(binary, n, macByte, concurrency, server, capture) {
  const pcap = capture ? join(tmpdir(), `walt-bench-dhcp-${process.pid}.pcap`) : undefined;
  const tcpdump = pcap ? await startCapture(pcap) : undefined;
  const result = await stormOnly(binary, n, macByte, concurrency, server);
  if (!tcpdump) return result;
  // tcpdump may still be behind on a busy machine: what is left in its socket when it is stopped is
  // lost without being counted as dropped.
  await new Promise((r) => setTimeout(r, 1000));
  const dropped = await tcpdump.stop();
  const wire = wireTimes(dhcpMessagesOfPcap(readFileSync(pcap)));
  rmSync(pcap, { force: true });
  return { ...result, wireStormMs: wire.stormMs, wireClients: wire.clients, wireServerP50Ms: median(wire.serverMs), wireClientP50Ms: median(wire.clientMs), wireClientMaxMs: Math.max(...wire.clientMs), captureDropped: dropped };
}

function stormOnly(binary, n, macByte, concurrency, server) {
  const cpuBefore = cpuMs(server.pid);
  // Where the server's main thread spent the storm: on a CPU, waiting for one, or asleep (the rest).
  const mainBefore = mainThreadSchedMs(server.pid);
  const threadsBefore = cpuByThreadName(server.pid);
  const startedAt = performance.now();
  return new Promise((resolvePromise, reject) => {
    const args = ['netns', 'exec', NAMES.cl, binary, 'eth0', String(n), String(concurrency), String(macByte), String(retryMs), '30000', VENDOR_CLASS];
    const child = spawn('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', () => {
      try {
        const windowMs = performance.now() - startedAt;
        const main = mainThreadSchedMs(server.pid);
        const mainCpuMs = main.cpu - mainBefore.cpu;
        const mainWaitMs = main.wait - mainBefore.wait;
        const threadCpu = threadCpuText(threadsBefore, cpuByThreadName(server.pid));
        resolvePromise({ ...JSON.parse(out), serverCpuMs: cpuMs(server.pid) - cpuBefore, windowMs, mainCpuMs, mainWaitMs, mainSleepMs: windowMs - mainCpuMs - mainWaitMs, threadCpu });
      } catch {
        reject(new Error(`dhcp-storm failed: ${err || out}`));
      }
    });
  });
}

async function withDnsmasq(run) {
  const dir = mkdtempSync(join(dataRoot, 'walt-bench-dnsmasq-'));
  const child = await startDaemon(
    [
      'dnsmasq', '--keep-in-foreground', '--no-ping', '--port=0', `--interface=${NAMES.bridge}`, '--bind-interfaces', '--dhcp-authoritative',
      '--dhcp-range=192.168.200.2,192.168.203.200,255.255.252.0,12h', '--dhcp-lease-max=100000', `--dhcp-leasefile=${join(dir, 'leases')}`,
      '--log-facility=-', '--quiet-dhcp', ...(process.env.WALT_BENCH_DNSMASQ_ARGS ?? '').split(' ').filter(Boolean),
    ],
    /started|DHCP, IP range/,
  );
  try {
    return await run(child);
  } finally {
    await stopDaemon(child);
    rmSync(dir, { recursive: true, force: true, maxRetries: 10 }); // retried: the NFS daemon walt-server started may still write its log as it stops
  }
}

/**
 * WALT_BENCH_WALT_VARIANTS="label=/path/to/walt-server.js,...": other builds of walt-server (a copy of
 * the tree at another commit) run as further servers in the same interleaved rounds, so two versions
 * are compared under the same load rather than minutes apart.
 */
function waltVariants() {
  return (process.env.WALT_BENCH_WALT_VARIANTS ?? '')
    .split(',')
    .filter(Boolean)
    .map((entry) => {
      const [label, path] = entry.split('=');
      if (!label || !path || !existsSync(path)) throw new Error(`WALT_BENCH_WALT_VARIANTS: "${entry}" is not label=/existing/walt-server.js`);
      return [label, (run) => withWalt(run, path)];
    });
}

async function withWalt(run, serverScript = WALT_SERVER) {
  const dir = mkdtempSync(join(dataRoot, 'walt-bench-server-'));
  const images = join(dir, 'images');
  const boot = join(images, 'waltplatform/rpi-3-b-plus-default/latest');
  mkdirSync(join(boot, 'rootfs/boot/rpi-3-b-plus'), { recursive: true });
  writeFileSync(join(boot, 'image.json'), JSON.stringify({ models: ['rpi-3-b-plus'] }));
  const conf = join(dir, 'server.conf');
  writeFileSync(conf, `network:\n  walt-net:\n    raw-device: ${NAMES.bridge}\n    ip: 192.168.200.1/22\nimages:\n  directory: ${images}\napi:\n  port: 0\n`);
  const child = await startDaemon([process.execPath, ...(process.env.WALT_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean), serverScript, 'start', '--config', conf, '--data-dir', dir], /walt-server listening on http/);
  try {
    const result = await run(child);
    await stopDaemon(child);
    // WALT_BENCH_SERVER_OUTPUT=FILE: what walt-server printed, appended (with --trace-opt or --trace-gc in WALT_BENCH_NODE_ARGS).
    if (process.env.WALT_BENCH_SERVER_OUTPUT) appendFileSync(process.env.WALT_BENCH_SERVER_OUTPUT, child.output());
    // What survived the server: every ACKed client must be a registered device.
    const db = new Database(join(dir, 'walt.db'), { readonly: true });
    result.registered = db.prepare("SELECT count(*) AS n FROM devices WHERE type != 'server'").get().n;
    db.close();
    return result;
  } finally {
    await stopDaemon(child);
    rmSync(dir, { recursive: true, force: true, maxRetries: 10 }); // retried: the NFS daemon walt-server started may still write its log as it stops
  }
}

/** The --capture figures of one round, or nothing. */
function wireText(r) {
  if (r.wireStormMs === undefined) return '';
  return `; on the wire: storm ${r.wireStormMs.toFixed(1)} ms, ${r.wireClients} clients, per client server part p50 ${r.wireServerP50Ms.toFixed(2)} ms, client part (OFFER->REQUEST) p50 ${r.wireClientP50Ms.toFixed(2)} max ${r.wireClientMaxMs.toFixed(2)} ms, ${r.captureDropped} dropped by the capture`;
}

function option(args, name, dflt) {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1] : dflt;
}

export default async function netbootDhcp(args = []) {
  if (process.getuid?.() !== 0) {
    console.log('netboot-dhcp: needs root (network namespaces): skipped');
    return 0;
  }
  const sizes = String(option(args, '--clients', '200,500')).split(',').map(Number).filter((n) => n > 0);
  const rounds = Number(option(args, '--rounds', 5));
  const concurrency = Number(option(args, '--concurrency', 64));
  const capture = args.includes('--capture');
  const warmUp = Number(option(args, '--warm-up', 0));
  if (option(args, '--data-on', 'disk') === 'shm') dataRoot = '/dev/shm';
  retryMs = Number(option(args, '--retry', 500));
  if (!(retryMs > 0)) throw new Error('--retry: a number of milliseconds above 0');
  // --save FILE: every round's full result, per client (MAC, address, DISCOVER-to-ACK ms, retransmissions, NAKs)
  const saveTo = option(args, '--save', undefined);
  const saved = [];
  let binary;
  try {
    binary = buildStormClient();
  } catch (e) {
    console.log(`netboot-dhcp: cannot build the storm client (gcc, Debian package gcc): skipped (${e.message})`);
    return 0;
  }
  printLoad('netboot-dhcp');
  const started = Date.now();
  console.log(`DHCP boot storm: DISCOVER -> ACK per client, ${concurrency} in flight, half with vendor class ${VENDOR_CLASS}, retransmission after ${retryMs} ms; ${rounds} interleaved rounds per size, a fresh server each; leases stored under ${dataRoot}`);
  setupBenchNetwork(NET);
  let macByte = 0;
  try {
    for (const n of sizes) {
      const variants = waltVariants();
      const results = { dnsmasq: [], walt: [], ...Object.fromEntries(variants.map(([label]) => [label, []])) };
      const servers = [['dnsmasq', withDnsmasq], ['walt', withWalt], ...variants];
      const deadline = Date.now() + 10 * 60_000; // bounded: no new round after 10 minutes
      for (let round = 0; round < rounds && (round === 0 || Date.now() < deadline); round++) {
        const order = round % 2 ? [...servers].reverse() : servers;
        const line = [];
        for (const [name, withServer] of order) {
          const r = await withServer(async (server) => {
            // --warm-up N: N other clients first, not counted (a fresh server's first requests pay once for what it loads and prepares)
            if (warmUp > 0) await stormOnly(binary, warmUp, (macByte++ % 250) + 1, concurrency, server);
            const result = await storm(binary, n, (macByte++ % 250) + 1, concurrency, server, capture);
            return result;
          });
          if (warmUp > 0 && r.registered !== undefined) r.registered -= warmUp; // the devices counted include the warm-up's
          results[name].push(r);
          saved.push({ clients: n, round: round + 1, server: name, load: loadLine(), ...r });
          line.push(`${name} ${r.elapsedMs.toFixed(1)} ms (${r.leased}/${n} leased${r.registered !== undefined ? `, ${r.registered} registered` : ''}, p50 ${r.p50Ms.toFixed(1)}, p99 ${r.p99Ms.toFixed(1)}, max ${r.maxMs.toFixed(1)} ms, ${r.retransmissions} retransmissions, ${r.naks} NAKs, server CPU ${r.serverCpuMs.toFixed(0)} ms, client CPU ${r.clientCpuMs.toFixed(0)} ms; server main thread over the client's ${r.windowMs.toFixed(0)} ms: CPU ${r.mainCpuMs.toFixed(0)}, waiting for a core ${r.mainWaitMs.toFixed(0)}, asleep ${r.mainSleepMs.toFixed(0)} ms; CPU per thread: ${r.threadCpu}${wireText(r)})`);
        }
        console.log(`  ${n} clients, round ${round + 1} (load ${loadavg()[0].toFixed(1)}): ${line.join('; ')}`);
      }
      console.log(`\nDHCP ${n} clients (${loadLine()}): median (min..max) over rounds where every client was leased`);
      const medians = {};
      for (const [name, label] of [['dnsmasq', 'dnsmasq --no-ping'], ['walt', 'walt-server'], ...variants.map(([v]) => [v, `walt-server ${v}`])]) {
        const ok = results[name].filter((r) => r.leased === n);
        const pick = (k) => ok.map((r) => r[k]);
        medians[name] = ok.length ? median(pick('elapsedMs')) : undefined;
        console.log(`  ${label.padEnd(18)} all leased ${spread(pick('elapsedMs'), 1, ' ms')}  per client p50 ${spread(pick('p50Ms'), 1)}  p99 ${spread(pick('p99Ms'), 1)}  max ${spread(pick('maxMs'), 1)}  retransmissions ${spread(pick('retransmissions'), 0)}  server CPU ${spread(pick('serverCpuMs'), 0, ' ms')}  client CPU ${spread(pick('clientCpuMs'), 0, ' ms')}  main thread CPU ${spread(pick('mainCpuMs'), 0, ' ms')}, waiting for a core ${spread(pick('mainWaitMs'), 0, ' ms')}, asleep ${spread(pick('mainSleepMs'), 0, ' ms')}${capture ? `  on the wire: storm ${spread(pick('wireStormMs'), 1, ' ms')}, per client server part p50 ${spread(pick('wireServerP50Ms'), 2)}, client part p50 ${spread(pick('wireClientP50Ms'), 2)}` : ''}  (${ok.length}/${results[name].length} rounds complete)`);
      }
      for (const [v] of variants) if (medians[v] !== undefined && medians.dnsmasq !== undefined) console.log(`  ratio walt-server ${v}/dnsmasq of the medians: ${(medians[v] / medians.dnsmasq).toFixed(2)}`);
      if (medians.walt !== undefined && medians.dnsmasq !== undefined) {
        console.log(`  ratio walt-server/dnsmasq of the medians: ${(medians.walt / medians.dnsmasq).toFixed(2)} (target <= 1.5)\n`);
      } else console.log('  ratio: - (a server leased fewer than all clients in every round; see the lines above)\n');
    }
  } finally {
    teardownBenchNetwork(NET);
    console.log(`netboot-dhcp: ${((Date.now() - started) / 1000).toFixed(0)} s (${loadLine()})`);
    if (saveTo) {
      writeFileSync(saveTo, JSON.stringify(saved, null, 1));
      console.log(`per-client results of every round: ${saveTo}`);
    }
  }
  return 0;
}

if (process.argv[1] === HERE) {
  netbootDhcp(process.argv.slice(2)).then((c) => (process.exitCode = c));
}
