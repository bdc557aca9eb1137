import type { Socket } from 'node:net';
import { EventEmitter } from 'node:events';
import type { DeviceRegistry } from '../devices/device-registry.js';
import type { LogService } from '../logs/log-service.js';
import { peerIp } from '../logs/peer-address.js';

/** Keepalive of the bootup-notification connection (the original: idle 15 s, 2 s interval). */
const KEEPALIVE_IDLE_MS = 15_000;

/**
 * Whether nodes are booted, as the original's NodeBootupStatusManager: a booted node keeps a TCP
 * connection open on the side channel (REQ_NOTIFY_BOOTUP_STATUS, sent by walt-notify-bootup with
 * busybox nc) and writes a byte now and then; the first byte means booted, the loss of its latest
 * connection means down. Only transitions are logged, on platform.nodes. Kept in memory, as in WalT:
 * after a server restart nodes notify again.
 */
export class NodeBootStatus {
  private readonly booted = new Set<string>();
  /** The latest notification socket per node MAC: an older one closing says nothing. */
  private readonly latest = new Map<string, Socket>();
  private readonly events = new EventEmitter();

  constructor(
    private readonly devices: DeviceRegistry,
    private readonly logs: LogService,
  ) {
    this.events.setMaxListeners(0);
  }

  isBooted(mac: string): boolean {
    return this.booted.has(mac);
  }

  /** Handle a REQ_NOTIFY_BOOTUP_STATUS connection from a node. */
  accept(socket: Socket, rest: Buffer): void {
    const device = this.devices.byIp(peerIp(socket.remoteAddress));
    if (!device || device.type !== 'node') {
      socket.end('KO not a registered walt node\n');
      return;
    }
    const mac = device.mac;
    this.latest.get(mac)?.destroy();
    this.latest.set(mac, socket);
    socket.setKeepAlive(true, KEEPALIVE_IDLE_MS);
    socket.write('OK\n');
    const onData = () => this.markBooted(mac);
    if (rest.length) onData();
    socket.on('data', onData);
    socket.resume();
    socket.on('close', () => {
      if (this.latest.get(mac) !== socket) return;
      this.latest.delete(mac);
      this.markDown(mac, { cause: 'unknown', note: 'server-detected disconnection' });
    });
  }

  markBooted(mac: string): void {
    if (this.booted.has(mac)) return;
    this.booted.add(mac);
    const name = this.devices.byMac(mac)?.name ?? mac;
    this.logs.platform('nodes', `node ${name} is booted`);
    this.events.emit('booted', mac);
  }

  /** The node went down (reboot, power off, lost connection); details end up in the log line. */
  markDown(mac: string, details: Record<string, string>): void {
    if (!this.booted.delete(mac)) return;
    const name = this.devices.byMac(mac)?.name ?? mac;
    const text = Object.entries(details)
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ');
    this.logs.platform('nodes', `node ${name} is down (${text})`);
    this.events.emit('down', mac);
  }

  /** A booted node was seen going down (not a reboot the server asked for: those have their own listeners). */
  onDown(listener: (mac: string) => void): void {
    this.events.on('down', listener);
  }

  /** The node went down and the caller already logged why (reboot, powersave): no second line. */
  forgetBooted(mac: string): void {
    this.booted.delete(mac);
    // The notification connection from before the reboot: a byte the node sends on it before it
    // resets must not mark it booted again (nor its end mark it down a second time).
    const socket = this.latest.get(mac);
    this.latest.delete(mac);
    socket?.destroy();
  }

  /**
   * Resolve when every node of `macs` is booted, or reject with a one-line message naming the nodes
   * still pending when `timeoutMs` elapses or `signal` aborts.
   */
  waitBooted(macs: readonly string[], timeoutMs: number | null, signal?: AbortSignal): Promise<void> {
    const pending = new Set(macs.filter((m) => !this.booted.has(m)));
    if (!pending.size) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const onBooted = (mac: string) => {
        pending.delete(mac);
        if (!pending.size) finish();
      };
      const finish = (error?: Error) => {
        this.events.off('booted', onBooted);
        signal?.removeEventListener('abort', onAbort);
        clearTimeout(timer);
        if (error) reject(error);
        else resolve();
      };
      const names = () => [...pending].map((m) => this.devices.byMac(m)?.name ?? m).sort().join(', ');
      const onAbort = () => finish(new Error(`wait aborted; still not booted: ${names()}`));
      this.events.on('booted', onBooted);
      signal?.addEventListener('abort', onAbort);
      if (timeoutMs !== null) timer = setTimeout(() => finish(new TimeoutReached(names())), timeoutMs);
    });
  }

  /** Close every notification connection (server stop): nothing is logged for them. */
  close(): void {
    const sockets = [...this.latest.values()];
    this.latest.clear();
    for (const s of sockets) s.destroy();
  }
}

/** `walt node wait` timed out. */
export class TimeoutReached extends Error {
  constructor(readonly pendingNames: string) {
    super(`Timeout was reached (nodes not booted yet: ${pendingNames}).`);
  }
}
