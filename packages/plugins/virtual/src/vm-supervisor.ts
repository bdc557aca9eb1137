import { spawn, type ChildProcess } from 'node:child_process';
import type { VirtualNodeSession, VirtualNodeSpec } from '@walt/sdk';
import { qemuArguments, type Accel } from './qemu-arguments.js';
import { vmSettings } from './vm-settings.js';
import type { VmFiles } from './vm-files.js';

export interface SupervisorOptions {
  qemu: string;
  accel: Accel;
  files: VmFiles;
  /** Milliseconds between SIGTERM and SIGKILL when a VM is killed. */
  killGraceMs?: number;
}

/**
 * One virtual node's reboot loop: wait boot.delay, read the node's current spec (so new settings
 * apply at this start), run qemu, and when it exits (guest reboot or power-off, hard reboot, crash)
 * start over, until stop(). A VM that keeps failing at once is retried with a growing pause.
 */
export class VmSupervisor {
  private child?: ChildProcess;
  private stopped = false;
  private wake?: () => void;
  private loop?: Promise<void>;
  private failures = 0;

  constructor(
    private readonly session: VirtualNodeSession,
    private readonly options: SupervisorOptions,
  ) {}

  get running(): boolean {
    return !this.stopped;
  }

  start(): void {
    this.loop ??= this.run().catch((e) => this.session.event(`supervisor of ${this.session.node.name} stopped: ${(e as Error).message}`, { error: true }));
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let spec: VirtualNodeSpec;
      try {
        spec = await this.session.current();
      } catch (e) {
        await this.cannotStart(e);
        continue;
      }
      let settings = vmSettings(spec.settings);
      if (settings.bootDelaySeconds > 0) {
        // Wait with nothing held, then read the node again: settings changed meanwhile apply now.
        spec.release();
        await this.pause(settings.bootDelaySeconds * 1000);
        if (this.stopped) break;
        try {
          spec = await this.session.current();
        } catch (e) {
          await this.cannotStart(e);
          continue;
        }
        settings = { ...vmSettings(spec.settings), bootDelaySeconds: 0 };
      }
      try {
        if (this.stopped) break;
        const diskFiles = await this.options.files.disks(spec.mac, settings.disks, (l) => this.session.event(l));
        const networkMacs = this.options.files.networkMacs(spec.mac, settings.extraNetworks.map((n) => n.name));
        const args = qemuArguments({ spec, settings, accel: this.options.accel, diskFiles, networkMacs });
        const started = Date.now();
        const code = await this.runQemu(args);
        const quick = Date.now() - started < 3000;
        this.failures = quick && code !== 0 ? this.failures + 1 : 0;
        if (!this.stopped) this.session.event(`VM of ${spec.name} exited (${code === null ? 'killed' : `code ${code}`}); booting it again`);
      } catch (e) {
        this.failures++;
        this.session.event(`VM of ${spec.name} failed: ${(e as Error).message}`, { error: true });
      } finally {
        spec.release();
      }
      if (this.failures) await this.pause(this.backoffMs());
    }
  }

  /** The node cannot be started (e.g. its image has no kernel): say so, then wait longer each time. */
  private async cannotStart(e: unknown): Promise<void> {
    this.failures++;
    const wait = this.backoffMs();
    this.session.event(`cannot start VM of ${this.session.node.name}: ${(e as Error)?.message ?? e} (next try in ${wait / 1000} s)`, { error: true });
    await this.pause(wait);
  }

  /** 2 s after the first failure in a row, doubling up to 64 s. */
  private backoffMs(): number {
    return 1000 * 2 ** Math.min(Math.max(this.failures, 1), 6);
  }

  /** Sleep, unless stop() comes first. */
  private pause(ms: number): Promise<void> {
    if (this.stopped || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private runQemu(args: string[]): Promise<number | null> {
    return new Promise((resolve, reject) => {
      if (this.stopped) return resolve(null);
      const child = spawn(this.options.qemu, args, { stdio: ['pipe', 'pipe', 'pipe'] });
      this.child = child;
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => this.session.output(chunk));
      child.stderr.on('data', (chunk: Buffer) => {
        stderr = (stderr + chunk.toString('utf8')).slice(-2000);
      });
      child.stdin.on('error', () => undefined);
      child.on('error', (e) => {
        this.child = undefined;
        reject(e);
      });
      child.on('close', (code) => {
        this.child = undefined;
        const last = stderr.trim().split('\n').pop();
        if (code && last) this.session.event(`qemu of ${this.session.node.name}: ${last}`, { error: true });
        resolve(code);
      });
    });
  }

  /** Hard reboot: kill qemu (SIGTERM, then SIGKILL); the loop boots it again. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) {
      this.wake?.(); // waiting for its boot delay or a retry: start at once
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), this.options.killGraceMs ?? 3000);
      child.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }

  /** Stop for good: no more starts, the running VM is killed. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.kill();
    await this.loop;
  }

  input(data: Uint8Array): void {
    const stdin = this.child?.stdin;
    if (stdin && !stdin.destroyed) stdin.write(data);
  }
}
