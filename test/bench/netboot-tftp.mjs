// TFTP throughput: a 30 MiB file to 1 and to 20 parallel clients, over a veth into a server network
// namespace. Same run, same block size (busybox tftp -b 1468): walt-server's TFTP (the real server,
// serving its static boot folder to an unregistered client address) and tftpd-hpa (in.tftpd);
// then walt-server with windowsize (RFC 7440, our client: busybox and tftp-hpa cannot ask for it).
// Rounds alternate the servers; the median of each is printed, with the ratios.
// `npm run bench -- netboot [--tftp-rounds N] [--tftp-clients N] [--tftp-window W]`.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = fileURLToPath(import.meta.url);
const REPO = resolve(dirname(HERE), '..', '..');
const WALT_SERVER = join(REPO, 'packages/cli/dist/bin/walt-server.js');
const CLIENT_LIB = join(REPO, 'packages/core/dist/network/tftp/tftp-client.js');
const SRV = 'wbt-srv';
const CL = 'wbt-cl';
const BR = 'wbtbr';
const SERVER_IP = '192.168.210.1';
const FILE_SIZE = 30 * 1024 * 1024;
const HPA_PORT = 1069;

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
  ip('-n', SRV, 'addr', 'add', `${SERVER_IP}/24`, 'dev', BR);
  ip('-n', SRV, 'link', 'set', BR, 'up');
  ip('link', 'add', 'wbtv0', 'netns', SRV, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', CL);
  ip('-n', SRV, 'link', 'set', 'wbtv0', 'master', BR);
  ip('-n', SRV, 'link', 'set', 'wbtv0', 'up');
  ip('-n', CL, 'link', 'set', 'lo', 'up');
  ip('-n', CL, 'link', 'set', 'eth0', 'up');
  ip('-n', CL, 'addr', 'add', '192.168.210.200/24', 'dev', 'eth0');
}

function teardownNetwork() {
  quiet(() => ip('netns', 'del', SRV));
  quiet(() => ip('netns', 'del', CL));
}

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
      if (ready === null || ready.test(out)) {
        clearTimeout(timer);
        resolvePromise(child);
      }
    };
    child.stdout.on('data', check);
    child.stderr.on('data', check);
    if (ready === null) setTimeout(() => check(''), 300);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${args[0]} exited with ${code}: ${out}`));
    });
  });
}

async function stopDaemon(child) {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(t);
}

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
      const timer = setTimeout(() => c.kill('SIGKILL'), 300_000);
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

const busybox = (port) => () => ['busybox', 'tftp', '-g', '-b', '1468', '-r', 'big.bin', '-l', '/dev/null', SERVER_IP, String(port)];
const windowed = (window) => () => [process.execPath, HERE, '--client', SERVER_IP, '69', 'big.bin', '1468', String(window)];

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
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
  for (const cmd of ['busybox', 'in.tftpd']) {
    try {
      execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    } catch {
      console.log(`netboot-tftp: ${cmd} is missing: skipped`);
      return 0;
    }
  }
  const rounds = option(args, '--tftp-rounds', 3);
  const many = option(args, '--tftp-clients', 20);
  const window = option(args, '--tftp-window', 32);
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
    `network:\n  walt-net:\n    raw-device: ${BR}\n    ip: ${SERVER_IP}/24\napi:\n  port: 0\n`,
  );
  setupNetwork();
  let walt;
  let hpa;
  const results = {};
  const record = (key, seconds) => (results[key] ??= []).push(seconds);
  try {
    walt = await startDaemon(['node', WALT_SERVER, 'start', '--config', join(work, 'server.conf'), '--data-dir', dataDir], /TFTP server listening/);
    hpa = await startDaemon(['in.tftpd', '-L', '-a', `${SERVER_IP}:${HPA_PORT}`, '-s', hpaRoot], null);
    // Warm up the page cache and both servers.
    await runClients(1, busybox(69));
    await runClients(1, busybox(HPA_PORT));
    for (let r = 0; r < rounds; r++) {
      for (const n of [1, many]) {
        record(`walt-${n}`, await runClients(n, busybox(69)));
        record(`hpa-${n}`, await runClients(n, busybox(HPA_PORT)));
        record(`walt-w-${n}`, await runClients(n, windowed(window)));
      }
    }
  } finally {
    await stopDaemon(walt);
    await stopDaemon(hpa);
    teardownNetwork();
    rmSync(work, { recursive: true, force: true });
  }
  console.log(`\nTFTP: 30 MiB file, blksize 1468, ${rounds} rounds (median), clients in a network namespace over a veth`);
  console.log('clients  tftpd-hpa        walt-server      ratio   walt-server windowsize ' + String(window).padEnd(4) + ' ratio to tftpd-hpa');
  for (const n of [1, many]) {
    const h = mibps(n, median(results[`hpa-${n}`]));
    const w = mibps(n, median(results[`walt-${n}`]));
    const ww = mibps(n, median(results[`walt-w-${n}`]));
    console.log(
      `${String(n).padStart(7)}  ${h.toFixed(1).padStart(6)} MiB/s     ${w.toFixed(1).padStart(6)} MiB/s     ${(w / h).toFixed(2).padStart(5)}x  ${ww.toFixed(1).padStart(6)} MiB/s                ${(ww / h).toFixed(2)}x`,
    );
  }
  return 0;
}

/** Client mode (run inside the client namespace): one windowsize transfer with our client. */
async function clientMain(argv) {
  const [host, port, file, blockSize, windowSize] = argv;
  const { tftpGet } = await import(CLIENT_LIB);
  const r = await tftpGet(file, { host, port: Number(port), blockSize: Number(blockSize), windowSize: Number(windowSize) });
  if (r.data.length !== FILE_SIZE) throw new Error(`got ${r.data.length} bytes`);
  if (r.options.get('windowsize') !== windowSize) throw new Error(`windowsize not granted: ${JSON.stringify([...r.options])}`);
}

if (process.argv[2] === '--client') {
  clientMain(process.argv.slice(3)).catch((e) => {
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  });
} else if (process.argv[1] === HERE) {
  netbootTftp(process.argv.slice(2)).then((c) => (process.exitCode = c));
}
