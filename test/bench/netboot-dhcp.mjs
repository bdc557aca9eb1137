// DHCP boot storm: N clients (default 500) each DISCOVER -> OFFER -> REQUEST -> ACK at once, from one
// simulator process in a client namespace, over a bridge in a server namespace. Run against
// `walt-server` (its DHCP, registering every client as a new node) and `dnsmasq --no-ping` in the
// same run; prints both times (first DISCOVER to last ACK; median of the rounds) and the ratio.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SIMULATOR = join(REPO, 'packages/core/dist/network/dhcp/dhcp-simulator-cli.js');
const WALT_SERVER = join(REPO, 'packages/cli/dist/bin/walt-server.js');
const SRV = 'wbd-srv';
const CL = 'wbd-cl';
const BR = 'wbdbr';

const ip = (...a) => execFileSync('ip', a, { stdio: ['ignore', 'pipe', 'pipe'] });
const quiet = (f) => {
  try {
    f();
  } catch {
    /* absent */
  }
};

function setupNetwork() {
  teardownNetwork();
  ip('netns', 'add', SRV);
  ip('netns', 'add', CL);
  ip('-n', SRV, 'link', 'set', 'lo', 'up');
  ip('-n', SRV, 'link', 'add', BR, 'type', 'bridge');
  ip('-n', SRV, 'addr', 'add', '192.168.200.1/22', 'dev', BR);
  ip('-n', SRV, 'link', 'set', BR, 'up');
  ip('link', 'add', 'wbdv0', 'netns', SRV, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', CL);
  ip('-n', SRV, 'link', 'set', 'wbdv0', 'master', BR);
  ip('-n', SRV, 'link', 'set', 'wbdv0', 'up');
  ip('-n', CL, 'link', 'set', 'lo', 'up');
  ip('-n', CL, 'link', 'set', 'eth0', 'up');
  ip('-n', CL, 'addr', 'add', '192.168.203.250/22', 'dev', 'eth0');
  ip('-n', CL, 'route', 'add', '255.255.255.255/32', 'dev', 'eth0');
}

function teardownNetwork() {
  quiet(() => ip('netns', 'del', SRV));
  quiet(() => ip('netns', 'del', CL));
}

/** Start a daemon in the server namespace; resolves once `ready` matches its output. */
function startDaemon(args, ready, timeoutMs = 30_000) {
  const child = spawn('ip', ['netns', 'exec', SRV, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${args[0]} did not start: ${out}`));
    }, timeoutMs);
    const check = (d) => {
      out += d;
      if (ready.test(out)) {
        clearTimeout(timer);
        resolvePromise(child);
      }
    };
    child.stdout.on('data', check);
    child.stderr.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${args[0]} exited (${code}): ${out}`));
    });
  });
}

function stopDaemon(child) {
  return new Promise((r) => {
    if (child.exitCode !== null || child.signalCode !== null) return r();
    child.removeAllListeners('exit');
    child.once('exit', () => r());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  });
}

/** Run the storm once; returns { ms, leased }. */
function storm(n, round, concurrency) {
  return new Promise((resolvePromise, reject) => {
    const input = { count: n, macPrefix: `02:b${round % 10}:00`, vendorClass: 'walt.node.rpi-3-b-plus', retryMs: 500, timeoutMs: 60_000, concurrency };
    const child = spawn('ip', ['netns', 'exec', CL, process.execPath, SIMULATOR, JSON.stringify(input)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', () => {
      const done = out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
        .find((e) => e.event === 'done');
      if (!done) return reject(new Error(`simulator failed: ${err}`));
      resolvePromise({ ms: done.elapsedMs, leased: done.leased, retransmissions: done.outcomes.reduce((a, o) => a + o.retransmissions, 0) });
    });
  });
}

async function withDnsmasq(n, round, concurrency) {
  const dir = mkdtempSync(join(tmpdir(), 'walt-bench-dnsmasq-'));
  const child = await startDaemon(
    [
      'dnsmasq', '--keep-in-foreground', '--no-ping', '--port=0', `--interface=${BR}`, '--bind-interfaces', '--dhcp-authoritative',
      '--dhcp-range=192.168.200.2,192.168.203.200,255.255.252.0,12h', '--dhcp-lease-max=100000', `--dhcp-leasefile=${join(dir, 'leases')}`,
      '--log-facility=-', '--quiet-dhcp', ...(process.env.WALT_BENCH_DNSMASQ_ARGS ?? '').split(' ').filter(Boolean),
    ],
    /started|DHCP, IP range/,
  );
  try {
    return await storm(n, round, concurrency);
  } finally {
    await stopDaemon(child);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function withWalt(n, round, concurrency) {
  const dir = mkdtempSync(join(tmpdir(), 'walt-bench-server-'));
  const images = join(dir, 'images');
  const boot = join(images, 'waltplatform/rpi-3-b-plus-default/latest');
  mkdirSync(join(boot, 'rootfs/boot/rpi-3-b-plus'), { recursive: true });
  writeFileSync(join(boot, 'image.json'), JSON.stringify({ models: ['rpi-3-b-plus'] }));
  const conf = join(dir, 'server.conf');
  writeFileSync(conf, `network:\n  walt-net:\n    raw-device: ${BR}\n    ip: 192.168.200.1/22\nimages:\n  directory: ${images}\napi:\n  port: 0\n`);
  const child = await startDaemon([process.execPath, WALT_SERVER, 'start', '--config', conf, '--data-dir', dir], /DHCP serving walt-net[\s\S]*listening on/);
  try {
    return await storm(n, round, concurrency);
  } finally {
    await stopDaemon(child);
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export default async function netbootDhcp(args = []) {
  const n = Number(args[args.indexOf('--clients') + 1]) || 500;
  const rounds = Number(args[args.indexOf('--rounds') + 1]) || 3;
  // Clients in flight at once. An unbounded burst overflows dnsmasq's socket buffer, and its time is
  // then mostly the clients' 500 ms retransmission timer; 0 means unbounded.
  const c = Number(args[args.indexOf('--concurrency') + 1]);
  const concurrency = args.includes('--concurrency') ? (c > 0 ? c : undefined) : 64;
  if (process.getuid?.() !== 0) {
    console.log('netboot-dhcp: needs root (network namespaces): skipped');
    return;
  }
  console.log(`DHCP boot storm: ${n} clients, DISCOVER -> ACK each, ${concurrency ?? 'all'} in flight at once, ${rounds} rounds per server (median)`);
  setupNetwork();
  try {
    const walt = [];
    const dnsmasq = [];
    for (let round = 0; round < rounds; round++) {
      const d = await withDnsmasq(n, round * 2, concurrency);
      const w = await withWalt(n, round * 2 + 1, concurrency);
      console.log(`  round ${round + 1}: dnsmasq --no-ping ${d.ms.toFixed(1)} ms (${d.leased}/${n} leased, ${d.retransmissions} retransmissions), walt-server ${w.ms.toFixed(1)} ms (${w.leased}/${n} leased, ${w.retransmissions} retransmissions)`);
      if (d.leased === n) dnsmasq.push(d.ms);
      if (w.leased === n) walt.push(w.ms);
    }
    if (!walt.length || !dnsmasq.length) throw new Error('some clients got no lease in every round; see the lines above');
    const w = median(walt);
    const d = median(dnsmasq);
    console.log(`DHCP ${n} clients: walt-server ${w.toFixed(1)} ms, dnsmasq --no-ping ${d.toFixed(1)} ms, ratio walt/dnsmasq ${(w / d).toFixed(2)} (target <= 1.5)`);
  } finally {
    teardownNetwork();
  }
}
