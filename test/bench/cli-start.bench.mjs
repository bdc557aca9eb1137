// `walt` start-up: each listing command run as a whole process, as a user types it, against a local
// walt-server holding 20 nodes, beside bare `node -e 0` and `walt --help`, interleaved (node -e 0,
// then each command, again and again), 20 runs each; prints the load first, then per command the
// median with min..max of the wall time and its ratio to the median of `node -e 0` (target: under 2x).
// The client reads its settings from a config file in the layout walt writes (~/.walt/config).
// The server runs in a network namespace of its own (so that its DHCP port does not touch the host),
// and so do the timed commands (the driver below runs inside it, no `ip netns exec` per command).
// `npm run bench -- cli-start [--runs 20]`
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchNames, listeningPort, quiet, stopDaemon } from './bench-network.mjs';
import { loadLine, median, printLoad, spread } from './bench-stats.mjs';

const HERE = fileURLToPath(import.meta.url);
const REPO = resolve(dirname(HERE), '..', '..');
// what a user runs: the shim and the bundle it loads
const WALT = join(REPO, 'packages/cli/bin/walt.js');
const WALT_SERVER = join(REPO, 'packages/server/dist/bin/walt-server.js');
const NS = benchNames('c').srv;

/** The timed commands: every listing command of walt, and --help for reference. */
const COMMANDS = [
  ['node', 'show'],
  ['node', 'show', '--all'],
  ['device', 'show'],
  ['device', 'tree'],
  ['image', 'show'],
  ['log', 'list-checkpoints'],
  ['log', 'show', '--history', '-1m:'], // the user's nodes (none): no records, only the start-up and the stream
  ['help', 'list'],
  ['--help'],
];

/** Inside the namespace: time every command `runs` times, interleaved, and print the table. */
function drive(port, configFile, runs, withImages) {
  const env = { ...process.env, WALT_CONFIG_FILE: configFile };
  delete env.WALT_SERVER;
  delete env.WALT_USER;
  // GNU time (Debian package time), when there, also gives each process's CPU time (user + system):
  // it hardly depends on the machine's load, unlike the wall time.
  const gnuTime = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
  const cpuFile = join(dirname(configFile), 'cpu');
  const timed = (args, cpuTimes) => {
    const t0 = process.hrtime.bigint();
    const r = gnuTime
      ? spawnSync(gnuTime, ['-f', '%U %S', '-o', cpuFile, process.execPath, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawnSync(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`${args.join(' ')} failed (${r.status}): ${String(r.stderr).trim()}`);
    if (gnuTime && cpuTimes) cpuTimes.push(readFileSync(cpuFile, 'utf8').trim().split(/\s+/).slice(-2).reduce((a, x) => a + Number(x) * 1000, 0));
    return ms;
  };
  const bare = [];
  const commands = COMMANDS.filter((c) => withImages || c[0] !== 'image');
  if (!withImages) console.log('  (no image engine: WALT_TEST_PODMAN_SOCKET unset, `walt image show` not timed)');
  const times = commands.map(() => []);
  const bareCpu = [];
  const cpus = commands.map(() => []);
  // a warm-up of each (page cache), not counted
  timed(['-e', '0']);
  for (const c of commands) timed([WALT, ...c]);
  for (let r = 0; r < runs; r++) {
    bare.push(timed(['-e', '0'], bareCpu));
    commands.forEach((c, i) => times[i].push(timed([WALT, ...c], cpus[i])));
  }
  const base = median(bare);
  console.log(`walt start-up, whole processes against a local walt-server (port ${port}), ${runs} interleaved runs each (${loadLine()} after)`);
  const baseCpu = bareCpu.length ? median(bareCpu) : undefined;
  const cpuCell = (xs) => (baseCpu ? `   CPU ${spread(xs, 0, ' ms').padEnd(28)} ${(median(xs) / baseCpu).toFixed(2)}x` : '');
  console.log(`  ${''.padEnd(28)} ${'wall time: median (min..max)'.padEnd(36)} ratio${baseCpu ? '   CPU time (user+system): median (min..max), ratio' : ''}`);
  console.log(`  ${'node -e 0'.padEnd(28)} ${spread(bare, 1, ' ms').padEnd(36)} 1.00x${cpuCell(bareCpu)}`);
  commands.forEach((c, i) => {
    const ratio = median(times[i]) / base;
    const over = c[0] !== '--help' && ratio >= 2 ? '  (over the 2x target)' : '';
    console.log(`  ${`walt ${c.join(' ')}`.padEnd(28)} ${spread(times[i], 1, ' ms').padEnd(36)} ${ratio.toFixed(2)}x${cpuCell(cpus[i])}${over}`);
  });
}

export default async function cliStart(args = []) {
  const i = args.indexOf('--runs');
  const runs = i >= 0 ? Number(args[i + 1]) : 20;
  if (process.getuid?.() !== 0) {
    console.log('cli-start: needs root (the server runs in a network namespace): skipped');
    return 0;
  }
  printLoad('cli-start');
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'walt-bench-cli-'));
  quiet(() => execFileSync('ip', ['netns', 'del', NS], { stdio: 'ignore' }));
  execFileSync('ip', ['netns', 'add', NS]);
  execFileSync('ip', ['-n', NS, 'link', 'set', 'lo', 'up']);
  let server;
  try {
    // `walt image show` needs an image engine: the test podman service when there is one (set -a; . /tmp/walt-ci-env).
    const podman = process.env.WALT_TEST_PODMAN_SOCKET;
    writeFileSync(
      join(dir, 'server.conf'),
      `network:\n  walt-net:\n    raw-device: null\n    ip: 192.168.152.1/24\napi:\n  port: 0\n  tcp-port: 0\n${podman ? `images:\n  engine-socket: ${podman}\n` : ''}`,
    );
    server = spawn('ip', ['netns', 'exec', NS, process.execPath, WALT_SERVER, 'start', '--config', join(dir, 'server.conf'), '--data-dir', join(dir, 'data')], { stdio: ['ignore', 'pipe', 'pipe'] });
    const port = await listeningPort(server);
    // 20 nodes, registered through the server's registration entry point (inside the namespace).
    // A set-up user of its own: 'bench' is claimed by the walt runs measured below (trust on first use).
    const register = `const claim = await (await fetch('http://127.0.0.1:${port}/api/v1/users/claim', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'bench-setup' }) })).json();
      for (let i = 0; i < 20; i++) { const hex = (0x100 + i).toString(16).slice(1);
      const r = await fetch('http://127.0.0.1:${port}/api/v1/devices/register', { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer ' + claim.token },
        body: JSON.stringify({ mac: '02:00:00:00:00:' + hex, ip: '192.168.152.' + (10 + i), vendorClass: 'walt.node.pc-x86-64' }) });
      if (!r.ok) throw new Error(await r.text()); }`;
    execFileSync('ip', ['netns', 'exec', NS, process.execPath, '--input-type=module', '-e', register], { stdio: 'inherit' });
    const configFile = join(dir, 'config');
    writeFileSync(configFile, `# WalT configuration file\n# ***********************\n\nwalt:\n    server: 127.0.0.1:${port}\n    username: bench\n`);
    execFileSync('ip', ['netns', 'exec', NS, process.execPath, HERE, '--drive', String(port), configFile, String(runs), podman ? 'images' : ''], { stdio: 'inherit' });
  } finally {
    await stopDaemon(server);
    quiet(() => execFileSync('ip', ['netns', 'del', NS], { stdio: 'ignore' }));
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`cli-start: ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return 0;
}

if (process.argv[1] === HERE && process.argv[2] === '--drive') {
  drive(Number(process.argv[3]), process.argv[4], Number(process.argv[5]), process.argv[6] === 'images');
}
