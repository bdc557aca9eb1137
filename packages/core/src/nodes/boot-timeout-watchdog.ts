import type { Device } from '../devices/device.js';
import type { DeviceRegistry } from '../devices/device-registry.js';
import type { LogService } from '../logs/log-service.js';

/** WalT's defaults for the node settings boot.timeout (seconds) and boot.retries. */
export const DEFAULT_BOOT_TIMEOUT_S = 180;
export const DEFAULT_BOOT_RETRIES = 9;

export interface BootTimeoutDeps {
  registry: DeviceRegistry;
  logs: LogService;
  isBooted: (mac: string) => boolean;
  /** True while WalT keeps the node powered off to save power (no timeout then). */
  inPowersave: (node: Device) => boolean;
  /** A hard reboot (no soft try); resolves with the reboot service's reply lines. */
  hardReboot: (node: Device) => Promise<{ ok: boolean; lines: string[] }>;
  now?: () => number;
}

interface BootWatch {
  /** When the node (last) started booting, ms. */
  start: number;
  /** boot.retries when last seen (a change of the setting moves `remaining` by the difference, as WalT). */
  retries: number;
  remaining: number;
}

/**
 * The boot timeout watchdog (WalT's NodeBootupStatusManager, reference section 6.1): a node that is
 * not booted, not in powersave, whose boot.timeout is not none and that has retries left is
 * hard-rebooted once `boot start + boot.timeout` passes, with the line `<name>: boot timeout reached,
 * trying hard-reboot (N retries left).` or `(last try).` on platform.nodes. The boot start is the
 * server's start (or the node's registration), a reboot, or a "down" event; user reboots and down
 * events give the node its retries back, the watchdog's own reboots do not. Kept in memory, as WalT.
 */
export class BootTimeoutWatchdog {
  private readonly watches = new Map<string, BootWatch>();
  /** Nodes the watchdog itself is rebooting: their retries are not reset by the reboot. */
  private readonly ownReboots = new Set<string>();
  private timer?: NodeJS.Timeout;
  private checking = false;
  private readonly now: () => number;

  constructor(
    private readonly deps: BootTimeoutDeps,
    private readonly checkEveryMs = 5000,
  ) {
    this.now = deps.now ?? Date.now;
  }

  start(): void {
    for (const d of this.deps.registry.all()) if (d.type === 'node') this.watch(d);
    this.timer = setInterval(() => void this.check().catch((e) => this.deps.logs.platform('nodes', `boot timeout check failed: ${(e as Error)?.message ?? e}`, { error: true })), this.checkEveryMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** The node starts booting now (rebooted, or seen going down); a user's reboot also gives its retries back. */
  bootStarted(node: Device): void {
    const w = this.watch(node);
    w.start = this.now();
    if (!this.ownReboots.has(node.mac)) w.remaining = w.retries;
  }

  /** Forget a removed node. */
  forget(mac: string): void {
    this.watches.delete(mac);
  }

  /** One pass: hard-reboot the nodes whose boot took longer than their boot.timeout. */
  async check(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      const now = this.now();
      const late: Device[] = [];
      for (const d of this.deps.registry.all()) {
        if (d.type !== 'node') continue;
        const w = this.watch(d);
        const timeout = bootTimeoutSeconds(d);
        if (timeout === null || w.remaining <= 0 || this.deps.isBooted(d.mac) || this.deps.inPowersave(d)) continue;
        if (now < w.start + timeout * 1000) continue;
        w.remaining -= 1;
        // If the hard reboot fails, the next try still waits a whole timeout.
        w.start = now;
        this.deps.logs.platform('nodes', `${d.name}: boot timeout reached, trying hard-reboot (${w.remaining > 0 ? `${w.remaining} retries left` : 'last try'}).`);
        late.push(d);
      }
      await Promise.all(late.map((d) => this.reboot(d)));
    } finally {
      this.checking = false;
    }
  }

  private async reboot(node: Device): Promise<void> {
    this.ownReboots.add(node.mac);
    try {
      const res = await this.deps.hardReboot(node);
      // Without a requester, the reply goes to the platform log (errors as such).
      for (const line of res.lines) this.deps.logs.platform('nodes', line, { error: !res.ok });
    } catch (e) {
      this.deps.logs.platform('nodes', `${node.name}: failed hard-reboot (${(e as Error).message})`, { error: true });
    } finally {
      this.ownReboots.delete(node.mac);
    }
  }

  /** The node's watch, created (boot starting now) the first time it is seen; follows boot.retries changes. */
  private watch(node: Device): BootWatch {
    const retries = bootRetries(node);
    let w = this.watches.get(node.mac);
    if (!w) {
      w = { start: this.now(), retries, remaining: retries };
      this.watches.set(node.mac, w);
    } else if (w.retries !== retries) {
      w.remaining = Math.max(0, w.remaining + retries - w.retries);
      w.retries = retries;
    }
    return w;
  }
}

/** boot.timeout of a node in seconds, null when disabled (`none`). */
export function bootTimeoutSeconds(node: Device): number | null {
  const v = node.conf['boot.timeout'];
  if (v === null) return null;
  return typeof v === 'number' ? v : DEFAULT_BOOT_TIMEOUT_S;
}

function bootRetries(node: Device): number {
  const v = node.conf['boot.retries'];
  return typeof v === 'number' ? v : DEFAULT_BOOT_RETRIES;
}
