// `npm run bench -- boot`: a real OS boot (the pc-x86-64 default image of .ci/node-image.sh, in the
// local registry) by a qemu PC (TCG) on a tap of walt-net, BIOS PXE. Prints the time from the VM's
// start to `booted`, split in phases from the server's own lines (stdout) and the node's serial
// console: PXE ROM to first DHCP, DHCP + undionly.kpxe + iPXE to start.ipxe (the first time it
// includes the image pull), kernel load, initrd load, kernel + initramfs + NFS root mount (to
// walt-init), then init to the bootup notification.
// Anchor, same run: the same qemu booting the same kernel and initrd from local files
// (-kernel/-initrd, same kernel arguments, same NFS root): what PXE and the network loads cost.
// (A local-disk root is not possible with this image: its netboot initrd carries no disk drivers.)
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { podman, testEngineEnv } from '../fixtures/images/build-test-image.mjs';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const WALT_SERVER = join(REPO, 'packages/cli/dist/bin/walt-server.js');
const L = (process.env.WALT_TEST_NETNS_PREFIX ?? '').slice(0, 1);
const SRV = `${L}wbb-srv`;
const BR = `${L}wbbbr`;
const TAP = `${L}wbbtap`;
const SERVER_IP = '192.168.213.1';
const MAC = '52:54:00:12:36:01';
const ip = (...a) => execFileSync('ip', a, { stdio: ['ignore', 'pipe', 'pipe'] });
const quiet = (f) => {
  try {
    f();
  } catch {
    /* already gone */
  }
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const s = (ms) => `${(ms / 1000).toFixed(1)} s`;

function setup() {
  quiet(() => ip('netns', 'del', SRV));
  ip('netns', 'add', SRV);
  ip('-n', SRV, 'link', 'set', 'lo', 'up');
  ip('-n', SRV, 'link', 'add', BR, 'type', 'bridge');
  ip('-n', SRV, 'addr', 'add', `${SERVER_IP}/24`, 'dev', BR);
  ip('-n', SRV, 'link', 'set', BR, 'up');
  ip('-n', SRV, 'tuntap', 'add', 'dev', TAP, 'mode', 'tap');
  ip('-n', SRV, 'link', 'set', TAP, 'master', BR, 'up');
}

/** Run one VM to `booted`; `marks` get the ms since the VM started of each event. */
async function boot(server, qemuArgs, events, timeoutMs) {
  const marks = {};
  const t0 = Date.now();
  let consoleText = '';
  let serverText = '';
  const onServer = (d) => (serverText += d);
  server.stdout.on('data', onServer);
  const vm = spawn('ip', ['netns', 'exec', SRV, 'qemu-system-x86_64', '-accel', 'tcg', '-cpu', 'max', '-m', '1024', '-nographic', '-no-reboot',
    '-netdev', `tap,id=n0,ifname=${TAP},script=no,downscript=no`, '-device', `virtio-net-pci,netdev=n0,mac=${MAC}`, ...qemuArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
  vm.stdout.on('data', (d) => (consoleText += d));
  try {
    while (Date.now() - t0 < timeoutMs && vm.exitCode === null) {
      for (const [name, where, re] of events) if (!(name in marks) && re.test(where === 'console' ? consoleText : serverText)) marks[name] = Date.now() - t0;
      if ('booted' in marks) break;
      await sleep(250);
    }
  } finally {
    server.stdout.off('data', onServer);
    vm.kill('SIGKILL');
  }
  if (!('booted' in marks)) throw new Error(`no boot within ${s(timeoutMs)}: ${JSON.stringify(marks)}\n${consoleText.slice(-1500)}`);
  return marks;
}

export default async function main() {
  const env = testEngineEnv();
  const [host, port] = env.WALT_TEST_REGISTRY.split(':');
  const dir = mkdtempSync(join(tmpdir(), 'walt-bench-boot-'));
  const conf = join(dir, 'server.conf');
  writeFileSync(conf, `network:\n  walt-net:\n    raw-device: ${BR}\n    ip: ${SERVER_IP}/24\napi:\n  port: 0\n  tcp-port: 12347\n` +
    `images:\n  engine-socket: ${env.WALT_TEST_PODMAN_SOCKET}\n  view-grace: 30\n` +
    `registries:\n  - {label: local, api: docker-registry-v2, host: ${host}, port: ${port}, protocol: http}\n`);
  setup();
  const server = spawn('ip', ['netns', 'exec', SRV, process.execPath, WALT_SERVER, 'start', '--config', conf, '--data-dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    let out = '';
    server.stdout.on('data', (d) => (out += d));
    for (let i = 0; i < 240 && !out.includes('walt-server ready'); i++) await sleep(250);
    const line = (re) => re;
    const pxe = await boot(server, ['-boot', 'n'], [
      ['dhcp', 'server', line(/new device .*mac=52:54:00:12:36:01/)],
      ['start.ipxe', 'server', line(/fetched start\.ipxe/)],
      ['kernel', 'server', line(/fetched kernel/)],
      ['initrd', 'server', line(/fetched initrd/)],
      ['walt-init', 'console', /walt-init: read-only NFS root/],
      ['booted', 'server', /node \S+ is booted/],
    ], 1_200_000);
    const nodeIp = /new (?:node|device) .*mac=52:54:00:12:36:01 ip=(\S+)/.exec(out)?.[1];
    const via = /fetched kernel .*over HTTP/.test(out) ? 'HTTP' : 'TFTP';
    // The anchor: same kernel, initrd and arguments from local files (copied out of the image).
    const root = join(dir, 'anchor');
    podman(['create', '--name', `walt-bench-boot-${process.pid}`, 'localhost/waltplatform/pc-x86-64-default:latest']);
    try {
      for (const f of ['kernel', 'initrd']) podman(['cp', `walt-bench-boot-${process.pid}:/boot/pc-x86-64/${f}`, `${root}-${f}`]);
    } finally {
      podman(['rm', `walt-bench-boot-${process.pid}`]);
    }
    const kargs = `root=/dev/nfs nfsroot=${SERVER_IP}:/var/lib/walt/nodes/${MAC}/fs,ro,vers=3,nolock,nocto boot=walt walt.node.model=pc-x86-64 walt.server.ip=${SERVER_IP} ` +
      `console=ttyS0,115200 init=/bin/walt-init panic=30 ip=${nodeIp}:${SERVER_IP}::255.255.255.0:::off BOOTIF=01-${MAC.replace(/:/g, '-')}`;
    // the server notices the first VM is gone (keepalive) long before the second one boots
    await sleep(5000);
    const local = await boot(server, ['-kernel', `${root}-kernel`, '-initrd', `${root}-initrd`, '-append', kargs], [
      ['walt-init', 'console', /walt-init: read-only NFS root/],
      ['booted', 'server', /node \S+ is booted/],
    ], 1_200_000);
    const phase = (a, b) => (pxe[b] ?? NaN) - (a ? pxe[a] ?? NaN : 0);
    const rows = [
      ['VM start to first DHCP (PXE ROM)', phase(undefined, 'dhcp')],
      ['DHCP, undionly.kpxe, iPXE DHCP, start.ipxe', phase('dhcp', 'start.ipxe')],
      [`kernel load (${via})`, phase('start.ipxe', 'kernel')],
      [`initrd load (${via})`, phase('kernel', 'initrd')],
      ['kernel + initramfs + NFS root mount, to walt-init', phase('initrd', 'walt-init')],
      ['walt-init to booted (systemd, sshd, notification)', phase('walt-init', 'booted')],
    ];
    console.log(`real OS boot, qemu TCG, BIOS PXE: ${s(pxe.booted)} from VM start to booted`);
    for (const [name, ms] of rows) console.log(`  ${name.padEnd(52)} ${s(ms).padStart(8)}  ${((100 * ms) / pxe.booted).toFixed(0).padStart(3)} %`);
    console.log(`anchor, same qemu with -kernel/-initrd from local files, same NFS root: ${s(local.booted)} (walt-init at ${s(local['walt-init'])})`);
    console.log(`ratio PXE path / local kernel+initrd: ${(pxe.booted / local.booted).toFixed(2)}`);
    return 0;
  } finally {
    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGTERM');
    await Promise.race([exited, sleep(30_000)]);
    quiet(() => ip('netns', 'del', SRV));
    rmSync(dir, { recursive: true, force: true });
  }
}
