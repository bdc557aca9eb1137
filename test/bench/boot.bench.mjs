// `npm run bench -- boot [--skip-vnode] [--skip-anchor]`: the real pc-x86-64
// node image (images/pc-x86-64-default, pulled from the local test registry: .ci/node-image.sh)
// booted by a qemu PC (TCG) over walt-net, BIOS PXE (qemu's ROM is iPXE: it gets the iPXE script at once; other
// PXE ROMs load undionly.kpxe first) -> start.ipxe -> kernel and initrd over HTTP -> NFS root -> walt-init ->
// systemd, sshd -> bootup notification.
//  1. A PC on a tap: from PXE start (the node's first DHCP request) to booted, with each phase's share
//     (the server's log timestamps and the serial console's arrival times).
//  2. `walt node create` (a virtual node through the same PXE path) to booted, and PXE start to booted.
//  3. Anchor: the same qemu booting the same kernel and initrd with -kernel/-initrd, the same image's
//     root on a local disk image; time to the same console login prompt, and the ratio.
// The anchor's disk is made from the same image's root filesystem. (A directory image store would
// isolate the bench's image, but its views lack the server's walt-init: no "booted".)
// Every VM takes the machine-wide qemu lock (/tmp/walt-qemu.lock) first: times count from there.
import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { benchNames, ip, quiet } from './bench-network.mjs';
import { podman, testEngineEnv } from '../fixtures/images/build-test-image.mjs';
import { printLoad } from './bench-stats.mjs';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const WALT_SERVER = join(REPO, 'packages/server/dist/bin/walt-server.js');
const WALT = join(REPO, 'packages/cli/dist/bin/walt.js');
const QEMU_LOCK = '/tmp/walt-qemu.lock';
const SERVER_IP = '192.168.212.1';
const PC_MAC = '52:54:00:21:20:01';
const PC_NODE = 'node-212001';
const VNODE = 'benchvn';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** The tests' qemu PC (test/helpers/real-node.ts): multi-threaded TCG, 2 CPUs. The anchor uses the same. */
const QEMU_PC = ['-accel', 'tcg,thread=multi', '-smp', '2', '-cpu', 'max,-cx16', '-m', '1024', '-nographic'];
const s = (ms) => (ms / 1000).toFixed(1);

/** A qemu-system-x86_64 wrapper that waits for the machine-wide lock, then execs qemu (same PID). */
function lockedQemuDir(dir) {
  const wrapper = join(dir, 'qemu-system-x86_64');
  const real = execFileSync('sh', ['-c', 'command -v qemu-system-x86_64'], { encoding: 'utf8' }).trim();
  // flock's stdio is not the VM's pipes: a VM killed while it waits leaves nothing holding them.
  writeFileSync(wrapper, `#!/bin/sh\nexec 9>>${QEMU_LOCK}; flock 9 </dev/null >/dev/null 2>&1; echo WALT-QEMU-STARTED >&2; exec ${real} "$@"\n`);
  chmodSync(wrapper, 0o755);
  return dir;
}

/** A VM whose console is timestamped: `at(text)` is when `text` first appeared (ms epoch), or undefined. */
function startVm(ns, qemuDir, args) {
  const cmd = ns ? ['ip', 'netns', 'exec', ns, join(qemuDir, 'qemu-system-x86_64'), ...args] : [join(qemuDir, 'qemu-system-x86_64'), ...args];
  const child = spawn(cmd[0], cmd.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
  const chunks = [];
  let text = '';
  // WALT_BENCH_CONSOLE=<file>: the console as it comes, to follow a slow boot.
  const follow = process.env.WALT_BENCH_CONSOLE;
  const add = (d) => {
    chunks.push({ end: text.length + d.length, t: Date.now() });
    text += d;
    if (follow) appendFileSync(follow, d);
  };
  child.stdout.on('data', add);
  child.stderr.on('data', add);
  return {
    child,
    text: () => text,
    at(needle, from = 0) {
      const i = text.indexOf(needle, from);
      if (i < 0) return undefined;
      return chunks.find((c) => c.end > i).t;
    },
    async until(what, cond, timeoutMs) {
      const end = Date.now() + timeoutMs;
      while (!cond()) {
        if (child.exitCode !== null || child.signalCode !== null || Date.now() > end) throw new Error(`${what}: not reached\n${text.slice(-2000)}`);
        await sleep(500);
      }
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}

/**
 * The guest's own clock, asked on its serial console (logged in as root) once it is up: the image
 * boots with `quiet`, so the kernel's and the initramfs' lines are not on the console. Returns, in
 * ms epoch: when the kernel started (now minus /proc/uptime), ran /init, and started systemd.
 */
async function guestMilestones(vm) {
  const from = vm.text().length;
  vm.child.stdin.write("cat /proc/uptime; dmesg | grep -m1 'Run /init'; systemctl show -p UserspaceTimestampMonotonic --value; echo BENCH-CLOCK-E''ND\n");
  await vm.until('guest clock', () => vm.text().slice(from).includes('BENCH-CLOCK-END'), 300_000);
  const now = vm.at('BENCH-CLOCK-END', from);
  const out = vm.text().slice(from);
  const uptime = Number(/^(\d+\.\d+) \d+\.\d+\r?$/m.exec(out)?.[1]);
  const runInit = Number(/^\[\s*(\d+\.\d+)\] Run \/init/m.exec(out)?.[1]);
  const userspace = Number(/^(\d+)\r?$/m.exec(out)?.[1]);
  if (!(uptime > 0)) return {};
  const kernelStart = now - uptime * 1000;
  return { kernelStart, init: runInit > 0 ? kernelStart + runInit * 1000 : undefined, systemd: userspace > 0 ? kernelStart + userspace / 1000 : undefined };
}

/** The first log line of `stream` matching `re` at or after `sinceMs`: its time (ms epoch). */
function logTime(dataDir, stream, re, sinceMs = 0) {
  const db = new Database(join(dataDir, 'walt.db'), { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT l.ts, l.line FROM logs l JOIN logstreams st ON st.id = l.stream_id WHERE st.name = ? AND l.ts >= ? ORDER BY l.ts').all(stream, sinceMs * 1000);
    const row = rows.find((r) => re.test(r.line));
    return row ? row.ts / 1000 : undefined;
  } finally {
    db.close();
  }
}

async function startServer(ns, bridge, dataDir, env, qemuDir) {
  const [host, port] = env.WALT_TEST_REGISTRY.split(':');
  const conf = join(dataDir, 'server.conf');
  writeFileSync(
    conf,
    `network:\n  walt-net:\n    raw-device: ${bridge}\n    ip: ${SERVER_IP}/24\napi:\n  port: 0\n  tcp-port: 12347\n` +
      `images:\n  engine-socket: ${env.WALT_TEST_PODMAN_SOCKET}\n  view-grace: 5\n` +
      `registries:\n  - {label: local, api: docker-registry-v2, host: ${host}, port: ${port}, protocol: http}\n`,
  );
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, WALT_SERVER, 'start', '--config', conf, '--data-dir', dataDir], {
    env: { ...process.env, PATH: `${qemuDir}:${process.env.PATH}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const end = Date.now() + 90_000;
  let m;
  while (!(m = /listening on http:\/\/[\d.]+:(\d+)/.exec(out))) {
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > end) throw new Error(`walt-server did not start:\n${out}`);
    await sleep(200);
  }
  const walt = (args, user = 'benchuser') =>
    execFileSync('ip', ['netns', 'exec', ns, process.execPath, WALT, ...args], {
      encoding: 'utf8',
      timeout: 600_000,
      env: { ...process.env, WALT_SERVER: `127.0.0.1:${m[1]}`, WALT_USER: user, WALT_CONFIG_FILE: join(dataDir, 'client-config-unused') },
    });
  return { child, walt, output: () => out };
}

/** The PC's boot milestones, ms epoch. */
async function pcBoot(names, dataDir, qemuDir) {
  const tap = `${names.bridge.slice(0, -2)}t0`;
  ip('-n', names.srv, 'tuntap', 'add', 'dev', tap, 'mode', 'tap');
  ip('-n', names.srv, 'link', 'set', tap, 'master', names.bridge);
  ip('-n', names.srv, 'link', 'set', tap, 'up');
  const vm = startVm(names.srv, qemuDir, [...QEMU_PC, '-boot', 'n', '-netdev', `tap,id=n0,ifname=${tap},script=no,downscript=no`, '-device', `virtio-net-pci,netdev=n0,mac=${PC_MAC}`]);
  try {
    await vm.until('qemu lock', () => vm.text().includes('WALT-QEMU-STARTED'), 3_600_000);
    const t = { qemu: vm.at('WALT-QEMU-STARTED') };
    const log = (stream, re) => () => (t.last = logTime(dataDir, stream, re, t.qemu));
    await vm.until('booted', log('platform.nodes', new RegExp(`^node ${PC_NODE} is booted$`)), 1_200_000);
    await vm.until('login prompt', () => /root@\S+:.*[#$]/.test(vm.text()), 300_000);
    const guest = await guestMilestones(vm);
    Object.assign(t, {
      pxe: logTime(dataDir, 'platform.devices', /^new device .*mac=52:54:00:21:20:01/, t.qemu),
      script: logTime(dataDir, 'platform.tftp', /fetched pxe\/walt-boot\.ipxe/, t.qemu),
      node: logTime(dataDir, 'platform.devices', /new node .*mac=52:54:00:21:20:01/, t.qemu),
      startIpxe: logTime(dataDir, 'platform.tftp', /fetched start\.ipxe/, t.qemu),
      kernel: logTime(dataDir, 'platform.tftp', /fetched kernel /, t.qemu),
      initrd: logTime(dataDir, 'platform.tftp', /fetched initrd /, t.qemu),
      init: guest.init,
      // walt-init's first line (on the console whatever `quiet`) comes right after the initramfs mounted the NFS root
      nfsMounted: vm.at('walt-init: read-only NFS root'),
      systemd: guest.systemd,
      booted: logTime(dataDir, 'platform.nodes', new RegExp(`^node ${PC_NODE} is booted$`), t.qemu),
      login: vm.at('login: root (automatic login)'),
    });
    return t;
  } finally {
    await vm.stop();
    // WALT_BENCH_KEEP=1: the serial console too, for a look at where the time went.
    if (process.env.WALT_BENCH_KEEP) writeFileSync(join(dataDir, 'pc-console.log'), vm.text());
  }
}

/** `walt node create` to booted, through the server's own qemu (behind the lock wrapper on its PATH). */
async function vnodeBoot(server, dataDir) {
  const t0 = Date.now();
  server.walt(['node', 'create', VNODE]);
  const created = Date.now();
  // Under TCG a boot outlasts the default boot.timeout (180 s): the watchdog would restart the VM.
  server.walt(['node', 'config', VNODE, 'boot.timeout=900']);
  const end = Date.now() + 1_800_000;
  let booted;
  while (!(booted = logTime(dataDir, 'platform.nodes', new RegExp(`^node ${VNODE} is booted$`), t0))) {
    if (Date.now() > end) throw new Error('the virtual node did not boot');
    await sleep(1000);
  }
  // The VM's ROM is iPXE, as the PC's: its first DHCP gets the script (a vnode is registered at create, not at its DHCP).
  const pxe = logTime(dataDir, 'platform.tftp', /fetched pxe\/walt-boot\.ipxe/, t0);
  quiet(() => server.walt(['node', 'remove', VNODE], 'benchuser'));
  return { t0, created, pxe, booted };
}

/** The anchor's files from `image`: its kernel and initrd, and an ext4 disk image of its root. */
function imageFiles(image, work) {
  const rootfs = join(work, 'rootfs');
  mkdirSync(rootfs, { recursive: true });
  const id = podman(['create', image, '/bin/true']).trim();
  try {
    execFileSync('sh', ['-c', `podman ${testEngineEnv().WALT_TEST_PODMAN_ARGS} export ${id} | tar -C ${rootfs} -x`], { stdio: 'inherit', timeout: 900_000 });
  } finally {
    quiet(() => podman(['rm', id]));
  }
  const disk = join(work, 'root.img');
  execFileSync('mkfs.ext4', ['-q', '-F', '-L', 'walt-anchor', '-d', rootfs, disk, '2G'], { timeout: 900_000 });
  const kernel = join(work, 'kernel');
  const initrd = join(work, 'initrd');
  execFileSync('cp', ['-L', join(rootfs, 'boot', 'pc-x86-64', 'kernel'), kernel]);
  execFileSync('cp', ['-L', join(rootfs, 'boot', 'pc-x86-64', 'initrd'), initrd]);
  rmSync(rootfs, { recursive: true, force: true });
  return { disk, kernel, initrd };
}

async function anchorBoot(files, qemuDir) {
  const vm = startVm(undefined, qemuDir, [
    ...QEMU_PC, '-no-reboot', '-snapshot',
    '-kernel', files.kernel, '-initrd', files.initrd,
    // the console arguments of the image's start.ipxe (quiet included), root on the disk
    '-append', 'root=/dev/vda rw console=tty0 console=ttyS0,115200 quiet panic=30',
    '-drive', `file=${files.disk},format=raw,if=virtio`,
    '-nic', 'none',
  ]);
  try {
    await vm.until('qemu lock', () => vm.text().includes('WALT-QEMU-STARTED'), 3_600_000);
    const gaveUp = () => vm.text().includes('Gave up waiting for root file system device');
    await vm.until('login prompt', () => vm.text().includes('login: root (automatic login)') || / login: $/m.test(vm.text()) || gaveUp(), 900_000);
    // An initrd made for NFS roots only (MODULES=netboot, or a list without virtio_blk) cannot find the disk.
    if (gaveUp()) throw new Error("anchor: the image's initrd has no driver for the local disk (virtio_blk): no -kernel/-initrd figure");
    const login = vm.at('login: root (automatic login)') ?? Date.now();
    await vm.until('shell prompt', () => /root@\S+:.*[#$]/.test(vm.text()), 300_000);
    const guest = await guestMilestones(vm);
    return { qemu: vm.at('WALT-QEMU-STARTED'), init: guest.init, systemd: guest.systemd, login };
  } finally {
    await vm.stop();
  }
}

export default async function boot(args) {
  const env = testEngineEnv();
  const image = process.env.WALT_TEST_NODE_IMAGE ?? `${env.WALT_TEST_REGISTRY}/waltplatform/pc-x86-64-default:latest`;
  printLoad('boot');
  const names = benchNames('bt');
  const work = mkdtempSync(join(tmpdir(), 'walt-bench-boot-'));
  const qemuDir = lockedQemuDir(work);
  const dataDir = join(work, 'data');
  mkdirSync(dataDir);
  quiet(() => ip('netns', 'del', names.srv));
  ip('netns', 'add', names.srv);
  ip('-n', names.srv, 'link', 'set', 'lo', 'up');
  ip('-n', names.srv, 'link', 'add', names.bridge, 'type', 'bridge');
  ip('-n', names.srv, 'addr', 'add', `${SERVER_IP}/24`, 'dev', names.bridge);
  ip('-n', names.srv, 'link', 'set', names.bridge, 'up');
  ip('-n', names.srv, 'route', 'add', '255.255.255.255/32', 'dev', names.bridge);
  let server;
  try {
    server = await startServer(names.srv, names.bridge, dataDir, env, qemuDir);
    const t = await pcBoot(names, dataDir, qemuDir);
    const row = (what, a, b) => (a && b ? `  ${what.padEnd(44)} ${s(b - a).padStart(6)} s  ${((100 * (b - a)) / (t.booted - t.pxe)).toFixed(0).padStart(3)} %` : `  ${what.padEnd(44)}      -`);
    console.log(`boot: PC (qemu TCG, BIOS PXE, virtio-net), image ${image}`);
    console.log(`  qemu start -> PXE start (BIOS, PXE ROM)          ${s(t.pxe - t.qemu)} s`);
    console.log(`  PXE start -> booted                              ${s(t.booted - t.pxe)} s  (qemu start -> booted ${s(t.booted - t.qemu)} s)`);
    console.log(row('DHCP: the ROM\'s iPXE DHCP, script (TFTP)', t.pxe, t.script));
    console.log(row('DHCP: iPXE DHCP as a walt node, image view, start.ipxe', t.script, t.startIpxe));
    console.log(row('TFTP/HTTP: kernel', t.startIpxe, t.kernel));
    console.log(row('TFTP/HTTP: initrd', t.kernel, t.initrd));
    console.log(row('kernel load: kernel start, initramfs unpack', t.initrd, t.init));
    console.log(row('NFS mount: initramfs (udev, drivers, ip=), NFS root', t.init, t.nfsMounted));
    console.log(row('init: walt-init, overlay, pivot to systemd', t.nfsMounted, t.systemd));
    console.log(row('init: systemd to sshd and the bootup notification', t.systemd, t.booted));
    console.log(`  PXE start -> console login prompt               ${s(t.login - t.pxe)} s`);
    let anchor;
    if (!args.includes('--skip-anchor')) {
      anchor = await anchorBoot(imageFiles(image, work), qemuDir);
      console.log(`boot: anchor, the same qemu, kernel and initrd with -kernel/-initrd, root on a local disk image (virtio-blk)`);
      console.log(`  qemu start -> console login prompt               ${s(anchor.login - anchor.qemu)} s  (kernel ${s(anchor.init - anchor.qemu)} s, initramfs ${s(anchor.systemd - anchor.init)} s, systemd ${s(anchor.login - anchor.systemd)} s)`);
      console.log(`  ratio: PXE boot (qemu start -> login prompt, ${s(t.login - t.qemu)} s) / anchor = ${((t.login - t.qemu) / (anchor.login - anchor.qemu)).toFixed(2)}`);
    }
    if (!args.includes('--skip-vnode')) {
      const v = await vnodeBoot(server, dataDir);
      console.log(`boot: virtual node (walt node create, PXE on a tap of the walt-net bridge)`);
      console.log(`  walt node create -> booted                       ${s(v.booted - v.t0)} s  (the command itself ${s(v.created - v.t0)} s)`);
      console.log(`  PXE start (iPXE script fetched) -> booted        ${v.pxe ? s(v.booted - v.pxe) : '-'} s`);
    }
    return 0;
  } finally {
    if (server && server.child.exitCode === null) {
      const exited = new Promise((r) => server.child.once('exit', r));
      server.child.kill('SIGTERM');
      await Promise.race([exited, sleep(15_000)]);
      if (server.child.exitCode === null) server.child.kill('SIGKILL');
    }
    quiet(() => ip('netns', 'del', names.srv));
    if (!process.env.WALT_BENCH_KEEP) rmSync(work, { recursive: true, force: true });
    else console.log(`boot: kept ${work}`);
  }
}
