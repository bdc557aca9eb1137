// `npm run bench -- images [--rounds N] [--size-mb M]`: the first node of a never-seen model.
// Time from its first DHCP request (sent by the DHCP client simulator, vendor class walt.node.rpi-4-b,
// in a client network namespace; the clock starts when it sends its DISCOVER) to its boot file
// start.uboot served by TFTP (a resident client retrying every 20 ms, as a bootloader retries), while
// walt-server pulls the ~50 MB default image from the local registry.
// Same run, same image, same registry: the pull alone by `podman pull` (same storage as the podman
// service). The image is removed from the engine before every measure. Medians and the ratio.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ip, quiet, setupBenchNetwork, teardownBenchNetwork } from './bench-network.mjs';
import { buildTestImage, podman, testEngineEnv } from '../fixtures/images/build-test-image.mjs';
import { loadLine, median, printLoad, spread } from './bench-stats.mjs';

const HERE = fileURLToPath(import.meta.url);
const REPO = resolve(dirname(HERE), '..', '..');
const WALT_SERVER = join(REPO, 'packages/server/dist/bin/walt-server.js');
const DHCP_SIMULATOR = join(REPO, 'packages/sdk/dist/testing/dhcp-simulator-cli.js');
const MODEL = 'rpi-4-b';
const IMAGE = `waltplatform/${MODEL}-default:latest`;
const SRV = 'wbi-srv';
const CL = 'wbi-cl';
const BR = 'wbibr';
const SERVER_IP = '192.168.211.1';
const MAC = 'dc:a6:32:0b:e0:01';
const PLACEHOLDER_IP = '192.168.211.254';
// The DHCP client has no address yet: its broadcasts need a route (broadcastRoutes).
const NET = { srv: SRV, cl: CL, bridge: BR, veth: 'wbiv0', serverCidr: `${SERVER_IP}/24`, clientMac: MAC, broadcastRoutes: true };
const setupNetwork = () => setupBenchNetwork(NET);
const teardownNetwork = () => teardownBenchNetwork(NET);
const POLL_MS = Number(process.env.WALT_BENCH_TFTP_POLL_MS ?? 20);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const seconds = (t0) => Number(process.hrtime.bigint() - t0) / 1e9;

function option(args, name, dflt) {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? Number(args[i + 1]) : dflt;
}



/** No trace of the image in the engine (WalT's name, the registry's, a leftover view's). */
function removeImage(env) {
  for (const ref of [`localhost/${IMAGE}`, `${env.WALT_TEST_REGISTRY}/${IMAGE}`]) quiet(() => podman(['rmi', '--force', ref]));
}

/** Wall-clock nanoseconds, comparable with `date +%s%N` in another process. */
function nowNs() {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
}

async function startServer(dataDir, env) {
  const conf = join(dataDir, 'server.conf');
  const [host, port] = env.WALT_TEST_REGISTRY.split(':');
  writeFileSync(
    conf,
    `network:\n  walt-net:\n    raw-device: ${BR}\n    ip: ${SERVER_IP}/24\napi:\n  port: 0\nimages:\n  engine-socket: ${env.WALT_TEST_PODMAN_SOCKET}\n` +
      `registries:\n  - {label: local, api: docker-registry-v2, host: ${host}, port: ${port}, protocol: http}\n`,
  );
  const child = spawn('ip', ['netns', 'exec', SRV, process.execPath, WALT_SERVER, 'start', '--config', conf, '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const marks = {};
  const mark = (d) => {
    out += d;
    for (const [key, re] of [
      ['registered', /new device name=/],
      ['pull started', /Trying to download/],
      ['pull done', /was downloaded successfully/],
      ['view mounted', /images -> image .* available at/],
    ]) {
      if (!marks[key] && re.test(String(d))) marks[key] = nowNs();
    }
  };
  child.stdout.on('data', mark);
  child.stderr.on('data', mark);
  const end = Date.now() + 30_000;
  while (!(out.includes('TFTP server listening') && out.includes('listening on http')) && Date.now() < end) {
    if (child.exitCode !== null) throw new Error(`walt-server exited: ${out}`);
    await sleep(50);
  }
  if (!out.includes('listening on http')) throw new Error(`walt-server did not start: ${out}`);
  await sleep(1000); // let the server's own start-up work settle: the measure is the first node's
  return { child, output: () => out, marks };
}

async function stopServer(child) {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(t);
}

function run(ns, cmd, args, timeoutMs = 30_000) {
  return new Promise((resolvePromise) => {
    const c = spawn('ip', ['netns', 'exec', ns, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    c.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => c.kill('SIGKILL'), timeoutMs);
    c.on('exit', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, out });
    });
  });
}

/** One walt measure: first DHCP request → start.uboot of the pulled image received by TFTP. */
async function waltRound(env, work, marker) {
  const dataDir = mkdtempSync(join(tmpdir(), 'walt-bench-images-'));
  const server = await startServer(dataDir, env);
  try {
    quiet(() => ip('-n', CL, 'addr', 'flush', 'dev', 'eth0'));
    quiet(() => ip('-n', CL, 'route', 'replace', '255.255.255.255/32', 'dev', 'eth0'));
    // The bootloader's TFTP retries: one resident client (no process per attempt), ready before t0.
    const poller = spawn('ip', ['netns', 'exec', CL, process.execPath, HERE, '--tftp-poll', SERVER_IP, marker], { stdio: ['ignore', 'pipe', 'pipe'] });
    let served;
    let pollOut = '';
    const servedAt = new Promise((resolvePromise) => {
      poller.stdout.on('data', (d) => {
        pollOut += d;
        if (!served && pollOut.includes('SERVED')) {
          served = nowNs();
          resolvePromise(served);
        }
      });
    });
    poller.stderr.on('data', (d) => (pollOut += d));
    while (!pollOut.includes('READY')) {
      if (poller.exitCode !== null) throw new Error(`tftp poller: ${pollOut}`);
      await sleep(10);
    }
    // The node's first DHCP request is sent by the DHCP client simulator, which prints the wall-clock
    // time right before it: t0 is that moment (not the start of `ip netns exec` or of a client process).
    // A placeholder address in walt-net lets the simulator's socket receive the server's subnet
    // broadcasts (a real client reads them from a raw socket); it gives way to the leased address.
    ip('-n', CL, 'addr', 'add', `${PLACEHOLDER_IP}/24`, 'dev', 'eth0');
    const mac = MAC;
    const dhcp = await run(CL, process.execPath, [DHCP_SIMULATOR, JSON.stringify({ clients: [{ mac, vendorClass: `walt.node.${MODEL}` }], timeoutMs: 10_000 })]);
    const events = dhcp.out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
    const ready = events.find((e) => e.event === 'ready');
    const ack = events.find((e) => e.event === 'ack');
    if (!ready || !ack) throw new Error(`no DHCP lease: ${dhcp.out}`);
    const t0 = BigInt(Math.round(ready.wallClockMs * 1e6));
    // Placeholder first: deleting a primary address also deletes the secondaries of its subnet.
    ip('-n', CL, 'addr', 'del', `${PLACEHOLDER_IP}/24`, 'dev', 'eth0');
    ip('-n', CL, 'addr', 'add', `${ack.ip}/24`, 'dev', 'eth0');
    const timeout = sleep(120_000).then(() => undefined);
    const t1 = await Promise.race([servedAt, timeout]);
    poller.kill('SIGKILL');
    if (!t1) throw new Error(`start.uboot was not served in 120 s:\n${pollOut}\n${server.output()}`);
    const at = (k) => (server.marks[k] ? (Number(server.marks[k] - t0) / 1e9).toFixed(3) : '?');
    const steps = `registered ${at('registered')} s, pull started ${at('pull started')} s, pull done ${at('pull done')} s, view mounted ${at('view mounted')} s`;
    return { seconds: Number(t1 - t0) / 1e9, log: server.output(), steps };
  } finally {
    await stopServer(server.child);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function podmanRound(env) {
  const t0 = process.hrtime.bigint();
  podman(['pull', '-q', '--tls-verify=false', `${env.WALT_TEST_REGISTRY}/${IMAGE}`], { timeoutMs: 300_000 });
  return seconds(t0);
}

export default async function images(args) {
  const rounds = option(args, '--rounds', 3);
  const sizeMb = option(args, '--size-mb', 50);
  const env = testEngineEnv();
  if (process.getuid?.() !== 0 || !existsSync(env.WALT_TEST_PODMAN_SOCKET)) {
    console.error(`images bench: needs root and the podman service of .ci/start-daemons.sh (${env.WALT_TEST_PODMAN_SOCKET})`);
    return 2;
  }
  printLoad('images');
  const work = mkdtempSync(join(tmpdir(), 'walt-bench-images-work-'));
  const marker = `bench-${Date.now()}`;
  console.log(`images bench: building a ${sizeMb} MB default image for ${MODEL} and pushing it to ${env.WALT_TEST_REGISTRY}...`);
  removeImage(env);
  await buildTestImage({ ref: `${env.WALT_TEST_REGISTRY}/${IMAGE}`, models: [MODEL, 'rpi-400'], sizeMb, marker });
  setupNetwork();
  const walt = [];
  const pulls = [];
  try {
    for (let r = 0; r < rounds; r++) {
      removeImage(env);
      pulls.push(podmanRound(env));
      removeImage(env);
      const w = await waltRound(env, work, marker);
      walt.push(w.seconds);
      if (r === 0) for (const l of w.log.split('\n').filter((x) => /images ->|devices ->/.test(x))) console.log(`  | ${l}`);
      console.log(`round ${r + 1}: podman pull ${pulls[r].toFixed(3)} s, walt first DHCP -> start.uboot served ${walt[r].toFixed(3)} s (${w.steps})`);
    }
  } finally {
    teardownNetwork();
    removeImage(env);
    rmSync(work, { recursive: true, force: true });
  }
  const p = median(pulls);
  const w = median(walt);
  console.log('');
  console.log(`image: ${sizeMb} MB, local registry ${env.WALT_TEST_REGISTRY}, ${rounds} interleaved rounds: median (min..max); ${loadLine()} after`);
  console.log(`  podman pull alone:                          ${spread(pulls, 3, ' s')}`);
  console.log(`  walt-server, first DHCP -> boot file served: ${spread(walt, 3, ' s')}`);
  console.log(`  ratio walt / podman pull: ${(w / p).toFixed(2)}x (target <= 1.2x)`);
  return 0;
}

/**
 * Client side (run in the client namespace): once eth0 has its lease address, ask for start.uboot
 * every 20 ms until the answer holds the image's marker, then print SERVED.
 */
async function tftpPoll(serverIp, marker) {
  const { networkInterfaces } = await import('node:os');
  const { tftpGet } = await import(join(REPO, 'packages/core/dist/network/tftp/tftp-client.js'));
  process.stdout.write('READY\n');
  const end = Date.now() + 120_000;
  while (Date.now() < end) {
    const addr = (networkInterfaces().eth0 ?? []).find((a) => a.family === 'IPv4' && a.address !== PLACEHOLDER_IP);
    if (!addr) {
      await sleep(2);
      continue;
    }
    try {
      const r = await tftpGet('start.uboot', { host: serverIp, timeoutMs: 1000, localAddress: addr.address });
      if (r.data.toString('utf8').includes(marker)) {
        process.stdout.write('SERVED\n');
        return;
      }
    } catch {
      /* not yet: file not found while the image is pulled */
    }
    await sleep(POLL_MS);
  }
  process.stdout.write('GAVE UP\n');
}

if (process.argv[2] === '--tftp-poll') await tftpPoll(process.argv[3], process.argv[4]);
