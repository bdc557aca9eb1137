// DHCP boot storm: N clients (default 500) each DISCOVER -> OFFER -> REQUEST -> ACK at once, from one
// simulator process in a client namespace, over a bridge in a server namespace. Run against
// `walt-server` (its DHCP, registering every client as a new node) and `dnsmasq --no-ping` in the
// same run; prints both times (first DISCOVER to last ACK; median of the rounds) and the ratio.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setupBenchNetwork, startDaemonIn, stopDaemon, teardownBenchNetwork } from './bench-network.mjs';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SIMULATOR = join(REPO, 'packages/core/dist/network/dhcp/dhcp-simulator-cli.js');
const WALT_SERVER = join(REPO, 'packages/server/dist/bin/walt-server.js');
const SRV = 'wbd-srv';
const CL = 'wbd-cl';
const BR = 'wbdbr';
const NET = { srv: SRV, cl: CL, bridge: BR, veth: 'wbdv0', serverCidr: '192.168.200.1/22', clientCidr: '192.168.203.250/22', broadcastRoutes: true };
const setupNetwork = () => setupBenchNetwork(NET);
const teardownNetwork = () => teardownBenchNetwork(NET);
const startDaemon = (args, ready) => startDaemonIn(SRV, args, ready);






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
