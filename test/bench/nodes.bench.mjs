// Nodes benchmark (npm run bench -- nodes): the experiment loop's node side against the established
// tools, on "nodes" that are network namespaces running OpenSSH's sshd (the server-wide host key, the
// server's key authorized for root) and the bootup notification, as in test/integration/nodes/.
//  - `walt node run <50 nodes> hostname` (client -> API session -> server's ssh2 connections) against
//    parallel-ssh (Debian pssh) run from the server's namespace with the same key, same parallelism.
//    Target (issue 13): at most 1.5x its wall time.
//  - `walt node cp` of 200 MB to a node against scp of the same file to the same node with the same
//    key. Target: at least 0.8x its throughput.
// Rounds are interleaved (walt, tool, walt, tool...) and each figure is a median with min..max.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { listeningPort } from './bench-network.mjs';
import { cpuWithChildrenMs, loadLine, printLoad, spread, median } from './bench-stats.mjs';
import { readdirSync, readFileSync } from 'node:fs';

const REPO = resolve(import.meta.dirname, '..', '..');
const WALT = join(REPO, 'packages/cli/dist/bin/walt.js');
const WALT_SERVER = join(REPO, 'packages/server/dist/bin/walt-server.js');
const NODES = Number(process.env.WALT_BENCH_NODES ?? 50);
const ROUNDS = Number(process.env.WALT_BENCH_ROUNDS ?? 3);
const COPY_MB = 200;
const PARALLEL = 32; // walt node run's own bound
const DEADLINE_MS = 20 * 60_000;
const SUBNET = '192.168.153';

const tag = `w${(process.env.WALT_TEST_NETNS_PREFIX ?? 'k').slice(0, 1)}bn`;
const srvNs = `${tag}-srv`;
const bridge = `${tag}br`;
const ip = (...a) => execFileSync('ip', a, { stdio: ['ignore', 'pipe', 'pipe'] });
const quietly = (f) => {
  try {
    f();
  } catch {
    /* already gone */
  }
};
const inSrv = (cmd, args, options = {}) => execFileSync('ip', ['netns', 'exec', srvNs, cmd, ...args], { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 300_000, ...options });

/** Wall time (s) of a command run in the server namespace; throws unless it exits 0. */
function timed(cmd, args, env) {
  const t0 = performance.now();
  inSrv(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return (performance.now() - t0) / 1000;
}

/** As timed, and the CPU (s) the command and its children spent (bash's `times` after it). */
function timedWithCpu(cmd, args, env) {
  const t0 = performance.now();
  const out = inSrv('bash', ['-c', '"$@" >/dev/null; times', 'timed', cmd, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const wall = (performance.now() - t0) / 1000;
  const seconds = (t) => t.match(/(\d+)m([\d.]+)s/).slice(1).reduce((m, sec) => Number(m) * 60 + Number(sec));
  const [user, sys] = out.trim().split('\n').at(-1).split(/\s+/).map(seconds);
  return { wall, cpu: user + sys };
}

/** CPU (ms) of a process's own threads (/proc/<pid>/stat utime + stime, 10 ms ticks). */
function ownCpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

/** CPU (ms) of a process and every live descendant, each with its reaped children's (/proc). */
function treeCpuMs(pid) {
  let ms = 0;
  try {
    ms += cpuWithChildrenMs(pid);
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      for (const child of readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) ms += treeCpuMs(Number(child));
    }
  } catch {
    /* it ended meanwhile */
  }
  return ms;
}

/** Pids whose command line passes `test` (the server's detached ssh ControlMaster, a node's sshd). */
function pidsWith(test) {
  const pids = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      if (test(readFileSync(`/proc/${p}/cmdline`, 'utf8'))) pids.push(Number(p));
    } catch {
      /* gone */
    }
  }
  return pids;
}

export default async function nodesBench() {
  printLoad('nodes');
  const { DirectoryImageStore } = await import(join(REPO, 'packages/core/dist/images/directory-image-store.js'));
  const { serverSshKeys } = await import(join(REPO, 'packages/core/dist/images/server-ssh-keys.js'));
  const dir = mkdtempSync(join(tmpdir(), 'walt-bench-nodes-'));
  const children = [];
  const nodeNs = (i) => `${tag}-c${i}`;
  const cleanup = () => {
    for (const c of children) quietly(() => process.kill(-c.pid, 'SIGKILL'));
    for (let i = 0; i < NODES; i++) quietly(() => ip('netns', 'del', nodeNs(i)));
    quietly(() => ip('netns', 'del', srvNs));
    rmSync(dir, { recursive: true, force: true });
    quietly(() => rmSync('/tmp/walt-bench-nodes-copy', { recursive: true, force: true }));
  };
  const deadline = setTimeout(() => {
    process.stderr.write(`nodes bench: aborted after ${DEADLINE_MS / 1000} s\n`);
    cleanup();
    process.exit(1);
  }, DEADLINE_MS);
  deadline.unref();
  try {
    // walt-net: a bridge in the server's namespace, one namespace per node.
    quietly(() => ip('netns', 'del', srvNs));
    ip('netns', 'add', srvNs);
    ip('-n', srvNs, 'link', 'set', 'lo', 'up');
    ip('-n', srvNs, 'link', 'add', bridge, 'type', 'bridge');
    ip('-n', srvNs, 'addr', 'add', `${SUBNET}.1/24`, 'dev', bridge);
    ip('-n', srvNs, 'link', 'set', bridge, 'up');

    const images = join(dir, 'images');
    DirectoryImageStore.writeImage(images, 'waltplatform/pc-x86-64-default:latest', { 'boot/pc-x86-64/start.ipxe': '#!ipxe\n' }, { models: ['pc-x86-64'] });
    const data = join(dir, 'data');
    const keysDir = join(data, 'keys');
    const keys = serverSshKeys(keysDir);
    const key = join(keysDir, 'id_ed25519');
    writeFileSync(join(dir, 'authorized_keys'), keys.clientKeyPub + '\n');
    writeFileSync(join(dir, 'server.conf'), `network:\n  walt-net:\n    raw-device: null\n    ip: ${SUBNET}.1/24\nimages:\n  directory: ${images}\napi:\n  port: 0\n  tcp-port: 0\n`);
    const server = spawn('ip', ['netns', 'exec', srvNs, process.execPath, WALT_SERVER, 'start', '--config', join(dir, 'server.conf'), '--data-dir', data], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    children.push(server);
    const port = await listeningPort(server);
    const rawApi = (method, path, body, headers = []) =>
      JSON.parse(inSrv('curl', ['-sS', '-X', method, '-H', 'content-type: application/json', ...headers, ...(body ? ['-d', JSON.stringify(body)] : []), `http://127.0.0.1:${port}${path}`]));
    // The bench user's token (trust on first use), for these raw calls and for walt (WALT_TOKEN).
    const token = rawApi('POST', '/api/v1/users/claim', { name: 'bench' }).token;
    if (!token) throw new Error('could not claim a token for the bench user');
    const api = (method, path, body) => rawApi(method, path, body, ['-H', `authorization: Bearer ${token}`]);
    const tcpPort = api('GET', '/api/v1/logs/ingestion').tcpPort;
    mkdirSync('/run/sshd', { recursive: true });

    const names = [];
    const ips = [];
    for (let i = 0; i < NODES; i++) {
      const ns = nodeNs(i);
      const mac = `02:00:00:4c:00:${i.toString(16).padStart(2, '0')}`;
      const addr = `${SUBNET}.${10 + i}`;
      quietly(() => ip('netns', 'del', ns));
      ip('netns', 'add', ns);
      ip('link', 'add', `${tag}v${i}`, 'netns', srvNs, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
      ip('-n', srvNs, 'link', 'set', `${tag}v${i}`, 'master', bridge);
      ip('-n', srvNs, 'link', 'set', `${tag}v${i}`, 'up');
      ip('-n', ns, 'link', 'set', 'lo', 'up');
      ip('-n', ns, 'link', 'set', 'eth0', 'address', mac);
      ip('-n', ns, 'addr', 'add', `${addr}/24`, 'dev', 'eth0');
      ip('-n', ns, 'link', 'set', 'eth0', 'up');
      api('POST', '/api/v1/devices/register', { mac, ip: addr, vendorClass: 'walt.node.pc-x86-64' });
      const name = `node-4c00${i.toString(16).padStart(2, '0')}`;
      const conf = join(dir, `sshd-${i}.conf`);
      writeFileSync(
        conf,
        [`ListenAddress ${addr}`, `HostKey ${join(keysDir, 'ssh_host_ecdsa_key')}`, `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`, 'PermitRootLogin prohibit-password', 'PasswordAuthentication no', 'KbdInteractiveAuthentication no', 'UsePAM no', 'StrictModes no', 'PidFile none', 'MaxStartups 200', 'Subsystem sftp internal-sftp'].join('\n') + '\n',
      );
      const script = `hostname ${name}
/usr/sbin/sshd -D -e -f ${conf} 2>/dev/null &
for i in $(seq 100); do grep -q ':0016 0*:0000 0A' /proc/net/tcp && break; sleep 0.1; done
exec 3<>/dev/tcp/${SUBNET}.1/${tcpPort} || exit 1
printf 'REQ_NOTIFY_BOOTUP_STATUS\\n' >&3
while sleep 20; do printf '\\n' >&3 || break; done`;
      children.push(spawn('ip', ['netns', 'exec', ns, 'unshare', '--uts', 'bash', '-c', script], { stdio: 'ignore', detached: true }));
      names.push(name);
      ips.push(addr);
    }
    const env = { WALT_SERVER: `127.0.0.1:${port}`, WALT_USER: 'bench', WALT_TOKEN: token, WALT_CONFIG_FILE: join(dir, 'client-config-unused') };
    inSrv(process.execPath, [WALT, 'node', 'wait', '--timeout', '180', names.join(',')], { env: { ...process.env, ...env } });
    writeFileSync(join(dir, 'hosts'), ips.map((a) => `root@${a}`).join('\n') + '\n');
    const sshOpts = ['-O', 'StrictHostKeyChecking=no', '-O', 'UserKnownHostsFile=/dev/null', '-O', 'LogLevel=ERROR', '-x', `-i ${key}`];
    const big = join(dir, 'big.bin');
    execFileSync('sh', ['-c', `head -c ${COPY_MB << 20} /dev/urandom > ${big}`]);
    mkdirSync('/tmp/walt-bench-nodes-copy', { recursive: true });

    // Warm-up (not counted): the first walt run opens the server's SSH connections, which it then
    // reuses (as a real server does between commands); pssh connects anew every time by design.
    timed(process.execPath, [WALT, 'node', 'run', names.join(','), 'hostname'], env);
    // The same for copies, which go through the server's OpenSSH connection to the node (kept 60 s
    // idle, shared by the copies that follow); scp connects anew every time by design.
    timed(process.execPath, [WALT, 'node', 'cp', join(dir, 'hosts'), `${names[0]}:/tmp/walt-bench-nodes-copy/warm-up`], env);
    const walt = { run: [], cp: [] };
    const tool = { run: [], cp: [] };
    const cpu = { walt: [], scp: [] };
    const small = { walt: [], scp: [] };
    for (let r = 0; r < ROUNDS; r++) {
      walt.run.push(timed(process.execPath, [WALT, 'node', 'run', names.join(','), 'hostname'], env));
      tool.run.push(timed('parallel-ssh', ['-h', join(dir, 'hosts'), '-p', String(PARALLEL), '-t', '120', ...sshOpts, '-i', 'hostname']));
      // CPU per side of each copy: the client (with its tar, or scp with its ssh), the server (with its
      // ssh, and the ssh ControlMaster it keeps per node), the node's sshd (with its tar or sftp-server).
      const sides = () => {
        const serverAll = treeCpuMs(server.pid) + pidsWith((c) => c.includes(join(keysDir, 'cm-')) && c.includes('[mux]')).reduce((a, p) => a + treeCpuMs(p), 0);
        const serverNode = ownCpuMs(server.pid);
        return { serverNode, serverSsh: serverAll - serverNode, node: pidsWith((c) => /^(\/usr\/sbin\/)?sshd/.test(c) && c.includes(join(dir, 'sshd-0.conf'))).reduce((a, p) => a + treeCpuMs(p), 0) };
      };
      // Each copy starts with the disk quiet (the previous copies written back: /tmp is on disk), and
      // the order alternates between rounds: neither tool always pays for the other's writes.
      const copyWalt = () => {
        execFileSync('sync');
        const before = sides();
        const w = timedWithCpu(process.execPath, [WALT, 'node', 'cp', big, `${names[0]}:/tmp/walt-bench-nodes-copy/walt.bin`], env);
        const after = sides();
        walt.cp.push(COPY_MB / w.wall);
        cpu.walt.push({ client: w.cpu, server: (after.serverNode - before.serverNode) / 1000, ssh: (after.serverSsh - before.serverSsh) / 1000, node: (after.node - before.node) / 1000 });
      };
      const copyScp = () => {
        execFileSync('sync');
        const before = sides();
        const t = timedWithCpu('scp', ['-q', '-i', key, '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', big, `root@${ips[0]}:/tmp/walt-bench-nodes-copy/scp.bin`]);
        const after = sides();
        tool.cp.push(COPY_MB / t.wall);
        cpu.scp.push({ client: t.cpu, node: (after.node - before.node) / 1000 });
      };
      if (r % 2) {
        copyScp();
        copyWalt();
      } else {
        copyWalt();
        copyScp();
      }
      // The fixed cost of one copy (a 1 KB file): client start, requests, the node's script; scp's handshake.
      small.walt.push(timed(process.execPath, [WALT, 'node', 'cp', join(dir, 'hosts'), `${names[0]}:/tmp/walt-bench-nodes-copy/small`], env));
      small.scp.push(timed('scp', ['-q', '-i', key, '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', join(dir, 'hosts'), `root@${ips[0]}:/tmp/walt-bench-nodes-copy/small-scp`]));
      console.log(`  round ${r + 1}: walt node cp ${walt.cp.at(-1).toFixed(1)} MB/s, scp ${tool.cp.at(-1).toFixed(1)} MB/s${r % 2 ? ' (scp first)' : ''} (${loadLine()})`);
      rmSync('/tmp/walt-bench-nodes-copy', { recursive: true, force: true });
      mkdirSync('/tmp/walt-bench-nodes-copy', { recursive: true });
    }
    const runRatio = median(walt.run) / median(tool.run);
    const cpRatio = median(walt.cp) / median(tool.cp);
    console.log(`walt node run <${NODES} nodes> hostname: ${spread(walt.run, 2, ' s')}`);
    console.log(`parallel-ssh -p ${PARALLEL} (${NODES} hosts) hostname: ${spread(tool.run, 2, ' s')}`);
    console.log(`  ratio ${runRatio.toFixed(2)}x its wall time (target <= 1.5x): ${runRatio <= 1.5 ? 'met' : 'NOT met'}`);
    console.log(`walt node cp ${COPY_MB} MB to a node: ${spread(walt.cp, 1, ' MB/s')}`);
    console.log(`scp ${COPY_MB} MB to the same node: ${spread(tool.cp, 1, ' MB/s')}`);
    console.log(`  ratio ${cpRatio.toFixed(2)}x its throughput (target >= 0.8x): ${cpRatio >= 0.8 ? 'met' : 'NOT met'}`);
    console.log(`one small copy (fixed cost): walt node cp ${spread(small.walt, 2, ' s')}, scp ${spread(small.scp, 2, ' s')}`);
    const cpuOf = (rows, side) => spread(rows.map((r) => r[side]), 2, ' s');
    console.log(`CPU per ${COPY_MB} MB copy, walt node cp: client+tar ${cpuOf(cpu.walt, 'client')}, server (Node) ${cpuOf(cpu.walt, 'server')}, server's ssh (mux client and ControlMaster) ${cpuOf(cpu.walt, 'ssh')}, node sshd+tar ${cpuOf(cpu.walt, 'node')}`);
    console.log(`CPU per ${COPY_MB} MB copy, scp: scp+ssh ${cpuOf(cpu.scp, 'client')}, node sshd+sftp-server ${cpuOf(cpu.scp, 'node')}`);
    return 0;
  } finally {
    clearTimeout(deadline);
    cleanup();
  }
}
