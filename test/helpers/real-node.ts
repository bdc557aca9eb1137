import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error plain ESM helper shared with the bench
import { testEngineEnv } from '../fixtures/images/build-test-image.mjs';
import { createTestNetwork, type TestNetwork } from './netns.js';
import { platformLines } from './platform-log.js';
import { skipUnless } from './prerequisites.js';
import { startServer, type ServerHandle } from './walt-processes.js';

/**
 * "A server in a namespace + a qemu PC on a tap that boots the real image to booted" (issue 12),
 * shared by the real-OS tests and the boot bench. The real image is the pc-x86-64 default built by
 * .ci/node-image.sh and pushed to the local test registry.
 */

export const ENGINE = testEngineEnv() as { WALT_TEST_PODMAN_SOCKET: string; WALT_TEST_REGISTRY: string };

/** One VM at a time on the whole machine (qemu TCG on 2 shared cores): every qemu run takes this lock. */
export const QEMU_LOCK = '/tmp/walt-qemu.lock';

/** Did .ci/node-image.sh push the real image to the local registry? (fails the test under CI, as a missing prerequisite) */
export function nodeImageMissing(): boolean {
  try {
    const tags = execFileSync('curl', ['-sf', '--max-time', '5', `http://${ENGINE.WALT_TEST_REGISTRY}/v2/waltplatform/pc-x86-64-default/tags/list`], { encoding: 'utf8' });
    if ((JSON.parse(tags) as { tags?: string[] }).tags?.includes('latest')) return false;
  } catch {
    /* no registry or no image */
  }
  if (process.env.CI === 'true') throw new Error('CI is missing test prerequisites: the real node image (run .ci/node-image.sh)');
  return true;
}

/** `describe.skipIf(realNodeSkipped())`: true (skip) when qemu, the NFS daemons, Podman or the real image are missing. */
export function realNodeSkipped(extra: { commands?: string[]; files?: string[] } = {}): boolean {
  return (
    skipUnless({
      root: true,
      commands: ['ip', 'qemu-system-x86_64', 'iptables', 'podman', 'ganesha.nfsd', 'rpcbind', 'flock', ...(extra.commands ?? [])],
      files: ['/usr/lib/ipxe/undionly.kpxe', '/usr/lib/ipxe/qemu/pxe-virtio.rom', ENGINE.WALT_TEST_PODMAN_SOCKET, ...(extra.files ?? [])],
    }) || nodeImageMissing()
  );
}

/**
 * A folder holding a `qemu-system-x86_64` that takes the machine-wide qemu lock, then execs the real
 * one (same PID: the server's VM supervisor kills qemu itself). Put first on the server's PATH, the
 * virtual nodes the server starts wait for the lock like every other VM.
 */
export function lockedQemuPathDir(): string {
  const dir = join(tmpdir(), `walt-qemu-locked-${process.pid}`);
  const real = execFileSync('sh', ['-c', 'command -v qemu-system-x86_64'], { encoding: 'utf8' }).trim();
  mkdirSync(dir, { recursive: true });
  // flock's own stdio is not the VM's pipes: killed while it waits, the wrapper leaves no process
  // holding them (the server's VM supervisor waits for them to close before it starts the VM again).
  writeFileSync(join(dir, 'qemu-system-x86_64'), `#!/bin/sh\nexec 9>>${QEMU_LOCK}; flock 9 </dev/null >/dev/null 2>&1; exec ${real} "$@"\n`);
  chmodSync(join(dir, 'qemu-system-x86_64'), 0o755);
  return dir;
}

export interface RealNodeServer {
  net: TestNetwork;
  server: ServerHandle;
  /** The platform log lines of one stream, oldest first. */
  lines(stream: string): string[];
  /** Wait until a line of `stream` after index `from` matches; throws with the server's output tail. */
  waitLine(stream: string, match: (line: string) => boolean, options: { from?: number; timeoutMs: number; what: string; alive?: () => string | undefined }): Promise<void>;
  /** Stop the server and remove the namespaces (WALT_TEST_KEEP=1 keeps the data dir). */
  stop(): Promise<void>;
}

/**
 * walt-server in a namespace of its own, walt-net on a bridge there (taps for qemu join it), pulling
 * images from the local test registry. The side-channel port is fixed (the node scripts in each
 * image view carry it; the server is alone in its namespace). `config` is appended YAML;
 * `rawDevice: null` makes a virtual-only platform (the walt-net bridge without a raw device).
 */
export async function startRealNodeServer(options: { tag: string; subnet: string; viewGrace?: number; config?: string; rawDevice?: string | null }): Promise<RealNodeServer> {
  const net = createTestNetwork({ tag: options.tag, subnet: options.subnet });
  const [host, port] = ENGINE.WALT_TEST_REGISTRY.split(':');
  let server: ServerHandle;
  try {
    server = await startServer({
      netns: net.serverNs,
      config:
        `network:\n  walt-net:\n    raw-device: ${options.rawDevice === undefined ? net.serverIf : options.rawDevice}\n    ip: ${net.serverIp}/${net.prefix}\n` +
        `api:\n  port: 0\n  tcp-port: 12347\nimages:\n  engine-socket: ${ENGINE.WALT_TEST_PODMAN_SOCKET}\n  view-grace: ${options.viewGrace ?? 5}\n` +
        `registries:\n  - {label: local, api: docker-registry-v2, host: ${host}, port: ${port}, protocol: http}\n` +
        (options.config ?? ''),
      timeoutMs: 60_000,
      // Virtual nodes' VMs take the qemu lock too.
      env: { PATH: `${lockedQemuPathDir()}:${process.env.PATH}` },
    });
  } catch (err) {
    net.destroy();
    throw err;
  }
  const lines = (stream: string) => platformLines(server.dataDir, stream);
  return {
    net,
    server,
    lines,
    async waitLine(stream, match, { from = 0, timeoutMs, what, alive }) {
      const end = Date.now() + timeoutMs;
      while (!lines(stream).slice(from).some(match)) {
        const dead = alive?.();
        if (dead || Date.now() > end) {
          // A virtual node's console is logged (stream virtualconsole): its tail says where the boot stopped.
          const vmConsole = lines('virtualconsole').slice(-40);
          throw new Error(
            `${what}: not reached${dead ? ` (${dead})` : ''}\n--- ${stream}:\n${lines(stream).slice(-30).join('\n')}\n--- server:\n${server.output().slice(-3000)}` +
              (vmConsole.length ? `\n--- virtual node consoles:\n${vmConsole.join('\n')}` : ''),
          );
        }
        await new Promise((r) => setTimeout(r, 1000));
      }
    },
    async stop() {
      await server?.stop({ cleanup: !process.env.WALT_TEST_KEEP });
      net.destroy();
    },
  };
}

export interface QemuPcOptions {
  /** The walt-net tap the PC's virtio NIC is on (net.addTap()). */
  tap: string;
  mac: string;
  /** Exit on guest reset (default false: a reset reboots the PC, like a real one). */
  noReboot?: boolean;
  memory?: string;
  /** Virtual CPUs (default 2), each on a host thread of its own (multi-threaded TCG). */
  cpus?: number;
  /** Extra qemu arguments (firmware for UEFI, ...). */
  extraArgs?: string[];
  /**
   * The NIC's option ROM (default: qemu's, an iPXE). '' gives the NIC none: the firmware's own PXE
   * boots (OVMF's UEFI PXE, as on a PC whose NIC has no iPXE).
   */
  nicRom?: string;
}

/**
 * A qemu PC (TCG) that PXE-boots from walt-net, its serial console captured and writable. It waits
 * for the machine-wide qemu lock first: `started` resolves when qemu really runs (times are from there).
 * The lock is taken by a shell that then execs qemu (same PID, lock fd inherited), so killing the PID
 * kills qemu and frees the lock.
 */
export class QemuPc {
  consoleText = '';
  readonly process: ChildProcess;
  /** Date.now() when qemu got the lock and started (0 before). */
  startedAt = 0;
  readonly started: Promise<void>;

  /** qemu's human monitor (a unix socket: reachable from outside the VM's network namespace), for power cycles. */
  private readonly monitor = join(tmpdir(), `walt-qemu-monitor-${process.pid}-${Math.random().toString(36).slice(2, 10)}.sock`);
  /** How many times this PC was power-cycled by hand (reset()). */
  powerCycles = 0;

  constructor(netns: string, options: QemuPcOptions) {
    const args = [
      // Multi-threaded TCG: the kernel, the initramfs and systemd use both host cores when they are free.
      // No CMPXCHG16B, as the server's own VMs (plugin-virtual qemu-arguments.ts: ~13% faster boots under TCG).
      '-accel', 'tcg,thread=multi', '-smp', String(options.cpus ?? 2), '-cpu', 'max,-cx16', '-m', options.memory ?? '1024',
      '-monitor', `unix:${this.monitor},server=on,wait=off`,
      // No floppy, parallel port, CD-ROM nor VGA (as the server's virtual nodes): their drivers cost udev seconds under TCG.
      '-nodefaults', '-display', 'none', '-serial', 'stdio', '-boot', 'n',
      ...(options.noReboot ? ['-no-reboot'] : []),
      '-netdev', `tap,id=n0,ifname=${options.tap},script=no,downscript=no`, '-device', `virtio-net-pci,netdev=n0,mac=${options.mac}${options.nicRom === undefined ? '' : `,romfile=${options.nicRom}`}`,
      ...(options.extraArgs ?? []),
    ];
    const script = `exec 9>>${QEMU_LOCK}; flock 9 </dev/null >/dev/null 2>&1; echo WALT-QEMU-STARTED >&2; exec qemu-system-x86_64 "$@"`;
    this.process = spawn('ip', ['netns', 'exec', netns, 'sh', '-c', script, 'qemu', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    // WALT_TEST_CONSOLE_DIR=<dir>: the console as it comes, to follow a boot while it runs.
    const live = process.env.WALT_TEST_CONSOLE_DIR ? join(process.env.WALT_TEST_CONSOLE_DIR, `qemu-console-${options.mac.replace(/:/g, '')}-${Date.now()}.log`) : undefined;
    this.process.stdout!.on('data', (d) => {
      this.consoleText += d;
      if (live) appendFileSync(live, d);
    });
    this.started = new Promise((resolve, reject) => {
      this.process.stderr!.on('data', (d) => {
        this.consoleText += d;
        if (!this.startedAt && this.consoleText.includes('WALT-QEMU-STARTED')) {
          this.startedAt = Date.now();
          resolve();
        }
      });
      this.process.once('exit', (code, signal) => reject(new Error(`qemu exited (${signal ?? code}) before starting:\n${this.consoleText.slice(-2000)}`)));
    });
    this.started.catch(() => undefined);
  }

  /** Why qemu is not running any more, or undefined while it runs. */
  dead(): string | undefined {
    if (this.process.exitCode === null && this.process.signalCode === null) return undefined;
    return `qemu exited (${this.process.signalCode ?? this.process.exitCode})`;
  }

  /** Wait for a condition (checked each second, after `tick`) while qemu runs. */
  async waitFor(what: string, cond: () => boolean, timeoutMs: number, context?: () => string, tick?: () => Promise<void>): Promise<void> {
    const end = Date.now() + timeoutMs;
    while ((await tick?.(), !cond())) {
      const dead = this.dead();
      if (dead || Date.now() > end) {
        throw new Error(`${what}: not reached${dead ? ` (${dead})` : ''}\n${context?.() ?? ''}\n--- console (tail):\n${this.consoleText.slice(-3000)}`);
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  /** Run a shell command on the serial console (logged in as root) and return the console text it produced. */
  async ask(cmd: string, marker: string, timeoutMs = 120_000): Promise<string> {
    const before = this.consoleText.length;
    // The quotes keep the typed command (echoed by the console) from matching the marker.
    this.process.stdin!.write(`${cmd}; echo ${marker}-E''ND\n`);
    const done = () => /-END\r?\n/.test(this.consoleText.slice(before)) && this.consoleText.slice(before).includes(`${marker}-END`);
    await this.waitFor(`console answer ${marker}`, done, timeoutMs);
    return this.consoleText.slice(before);
  }

  /**
   * Power-cycle the PC (qemu system_reset), what a lab's user does by hand when the server says a
   * node without PoE did not boot in time.
   */
  async reset(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      // cont: a VM paused (monitor `stop`) stays paused after a reset.
      const socket = connect(this.monitor, () => socket.end('system_reset\ncont\n'));
      socket.on('error', reject);
      socket.on('close', () => resolve());
      socket.resume();
    });
    this.powerCycles += 1;
  }

  /** Kill qemu (SIGKILL) and wait for it; keeps the console in `keepIn` (a directory) when WALT_TEST_KEEP is set. */
  async stop(keepIn?: string): Promise<void> {
    if (!this.dead()) {
      const exited = new Promise((r) => this.process.once('exit', r));
      this.process.kill('SIGKILL');
      await exited;
    }
    rmSync(this.monitor, { force: true });
    if (process.env.WALT_TEST_KEEP && keepIn) writeFileSync(join(keepIn, `qemu-console-${this.process.pid}.log`), this.consoleText);
  }
}

/** Milestones of one PXE boot, in ms since qemu started: TFTP/HTTP fetches from the server's log, walt-init from the console, booted from platform.nodes. */
export interface BootTimes {
  [milestone: string]: number;
}

/** The `platform.tftp` fetch lines name the file; true once `name` was fetched after line `from`. */
export function fetched(rn: RealNodeServer, name: string, from = 0): () => boolean {
  return () => rn.lines('platform.tftp').slice(from).some((l) => l.includes(` fetched ${name}`));
}

/**
 * Follow one PXE boot of `pc` to booted, recording when each milestone passed (ms since `t0`,
 * default when qemu started). `from` are the log positions before this boot (for reboots).
 */
export async function followBoot(
  rn: RealNodeServer,
  pc: QemuPc,
  node: string,
  options: { t0?: number; from?: { tftp: number; nodes: number; console: number }; timeoutMs?: number } = {},
): Promise<BootTimes> {
  await pc.started;
  const t0 = options.t0 ?? pc.startedAt;
  const from = options.from ?? { tftp: 0, nodes: 0, console: 0 };
  const times: BootTimes = {};
  // TCG: a boot takes 1-3 min in CI; it took up to 17 min on a machine shared with other qemu runs
  // (load 30-50 on 2 cores). 15 min bounds what a stuck boot costs a CI run.
  const deadline = Date.now() + (options.timeoutMs ?? 900_000);
  const context = () => `--- server:\n${rn.server.output().slice(-3000)}`;
  // A PC has no PoE: when its boot outlasts boot.timeout, the server's watchdog asks for a power
  // cycle by hand, and the test does it, as a user would. Under TCG this rescues a guest that hung
  // (rare); each one is printed, so a hang is seen, never silently absorbed.
  const asked = (l: string) => l.startsWith(`${node}: failed hard-reboot`) && l.includes('power-cycle it by hand');
  let answered = rn.lines('platform.nodes').slice(from.nodes).filter(asked).length;
  const powerCycleWhenAsked = async () => {
    const asks = rn.lines('platform.nodes').slice(from.nodes).filter(asked).length;
    if (asks <= answered) return;
    answered = asks;
    await pc.reset();
    times[`power-cycled by hand (${pc.powerCycles})`] = Date.now() - t0;
    console.log(`${node}: not booted within boot.timeout, power-cycled by hand (qemu system_reset) at ${Date.now() - t0} ms; console tail:\n${pc.consoleText.slice(-1500)}`);
  };
  const step = async (what: string, cond: () => boolean) => {
    await pc.waitFor(what, cond, Math.max(1000, deadline - Date.now()), context, powerCycleWhenAsked);
    times[what] = Date.now() - t0;
  };
  await step('start.ipxe', fetched(rn, 'start.ipxe', from.tftp));
  await step('kernel', fetched(rn, 'kernel', from.tftp));
  await step('initrd', fetched(rn, 'initrd', from.tftp));
  await step('walt-init', () => pc.consoleText.slice(from.console).includes('walt-init: read-only NFS root'));
  await step('booted', () => rn.lines('platform.nodes').slice(from.nodes).includes(`node ${node} is booted`));
  return times;
}

/** Log positions now, to follow the next boot from here. */
export function logPositions(rn: RealNodeServer, pc: QemuPc): { tftp: number; nodes: number; console: number } {
  return { tftp: rn.lines('platform.tftp').length, nodes: rn.lines('platform.nodes').length, console: pc.consoleText.length };
}
