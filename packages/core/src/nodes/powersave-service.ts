import type { Device } from '../devices/device.js';
import type { DeviceRegistry } from '../devices/device-registry.js';
import type { LogService } from '../logs/log-service.js';
import type { ExtensionRegistry } from '../plugins/extension-registry.js';
import type { PoeControl } from '../switches/poe-control.js';

/** Two hours, as in WalT (the server option switches.powersaveTimeoutMs overrides it: tests). */
export const POWERSAVE_TIMEOUT_MS = 2 * 60 * 60 * 1000;

/**
 * Power saving: a free node (booting its model's default image) whose model is PoE-powered, on a
 * switch with poe.reboots=true, unused for the timeout, has its port powered off (reason powersave).
 * `wake(nodes)` powers such nodes on again; commands that need a node (boot, acquire, wait, reboot)
 * call it. Timers restart on reboot and wake-up, as in WalT.
 */
export class PowersaveService {
  /** Last time each node (by MAC) was known to be needed. */
  private readonly lastUse = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  private checking = false;

  constructor(
    private readonly registry: DeviceRegistry,
    private readonly extensions: ExtensionRegistry,
    private readonly poe: PoeControl,
    private readonly logs: LogService,
    readonly timeoutMs: number = POWERSAVE_TIMEOUT_MS,
  ) {}

  start(): void {
    const now = Date.now();
    for (const d of this.registry.all()) if (d.type === 'node') this.lastUse.set(d.mac, now);
    const period = Math.max(200, Math.min(60_000, Math.floor(this.timeoutMs / 4)));
    this.timer = setInterval(() => void this.check().catch((e) => this.logs.platform('powersave.error', `powersave check failed: ${(e as Error)?.message ?? e}`, { error: true })), period);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** The node is needed now (rebooted, acquired, waited for): its timer restarts. */
  touch(node: Device): void {
    this.lastUse.set(node.mac, Date.now());
  }

  private eligible(d: Device): boolean {
    if (d.type !== 'node' || d.virtual || !d.model) return false;
    if (d.image !== this.registry.defaultImageOf(d.model)) return false;
    const model = this.extensions.nodeModel(d.model);
    return model?.capabilities?.poePowered === true && this.poe.refusal(d) === undefined;
  }

  /** One pass: power off the free PoE nodes unused for longer than the timeout. */
  async check(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      const now = Date.now();
      for (const d of this.registry.all()) {
        if (d.type !== 'node') continue;
        if (!this.lastUse.has(d.mac)) this.lastUse.set(d.mac, now);
        if (!this.eligible(d) || this.poe.isOff(d)) continue;
        const idle = now - this.lastUse.get(d.mac)!;
        if (idle < this.timeoutMs) continue;
        const pos = this.poe.position(d);
        if (typeof pos === 'string') continue;
        try {
          await this.poe.set(pos.switchDevice, pos.port, false, 'powersave');
          this.logs.platform('powersave', `node ${d.name} powered off (free node unused for ${Math.round(idle / 1000)} s; PoE off on ${pos.switchDevice.name} port ${pos.port})`);
          this.logs.platform('nodes', `node ${d.name} is down (cause: powersave, method: PoE)`);
        } catch (e) {
          this.logs.platform('powersave.error', `Node ${d.name}: warning, failed to turn off PoE (${(e as Error).message})`, { error: true });
          this.lastUse.set(d.mac, now); // re-arm
        }
      }
    } finally {
      this.checking = false;
    }
  }

  /** Power on the nodes WalT put in powersave; returns a message for the requester when it did. */
  async wake(nodes: readonly Device[]): Promise<string[]> {
    const lines: string[] = [];
    const asleep = nodes.filter((n) => this.poe.isOff(n)?.reason === 'powersave');
    for (const n of nodes) this.touch(n);
    if (!asleep.length) return lines;
    lines.push('Reactivating related switch port(s) in powersave mode.');
    for (const n of asleep) {
      const pos = this.poe.position(n);
      if (typeof pos === 'string') continue;
      try {
        await this.poe.set(pos.switchDevice, pos.port, true, 'powersave');
        this.logs.platform('powersave', `node ${n.name} powered on again (needed)`);
      } catch (e) {
        lines.push(`${n.name}: failed to power on (${(e as Error).message})`);
        this.logs.platform('powersave.error', `Node ${n.name}: warning, failed to turn on PoE (${(e as Error).message})`, { error: true });
      }
    }
    return lines;
  }
}
