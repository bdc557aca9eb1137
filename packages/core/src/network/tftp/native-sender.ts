import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import type { TransferOutcome } from './read-transfer.js';
import { MAX_RETRIES } from './read-transfer.js';
import type { TransferJob } from './transfer-runner.js';
import { encodeOack } from './tftp-packets.js';

/** The addon's API (@walt/tftp-native is an optional dependency: loaded at run time, types only here). */
type TftpNativeAddon = typeof import('@walt/tftp-native');

/** The addon, or why it could not be loaded (not built: no compiler at install, another OS). */
function loadAddon(): TftpNativeAddon | string {
  try {
    return createRequire(import.meta.url)('@walt/tftp-native') as TftpNativeAddon;
  } catch (e) {
    return `@walt/tftp-native is not available (${String((e as Error)?.message ?? e).split('\n')[0]})`;
  }
}

/**
 * Transfers run by the C sender of @walt/tftp-native instead of Node's event loop: a few event
 * threads (epoll) share the transfers, a thread with a single transfer busy-polls its socket for
 * the next ACK for a bounded time, and a window is one sendmmsg. Everything that decides what is
 * sent (names, roots, options) stays on the main thread; the sender gets a descriptor or bytes
 * and the negotiated numbers. See docs/decisions/0008-native-tftp-sender.md.
 */
export class NativeSender {
  private readonly running = new Map<number, ReturnType<TftpNativeAddon['send']>>();

  private constructor(
    private readonly addon: TftpNativeAddon,
    readonly threads: number,
    readonly busyPollMicros: number,
    private readonly onCallbackError: (e: unknown) => void,
  ) {}

  /**
   * Load the addon; a string says why it is unavailable. `threads` event threads (process-wide:
   * the first caller decides), and at most one busy-polling thread per core but one, so a core
   * always stays free for everything else.
   */
  static load(threads: number, busyPollMicros: number, onCallbackError: (e: unknown) => void): NativeSender | string {
    const addon = loadAddon();
    if (typeof addon === 'string') return addon;
    addon.configure({ maxSpinning: Math.max(1, availableParallelism() - 1), threads });
    return new NativeSender(addon, threads, busyPollMicros, onCallbackError);
  }

  get size(): number {
    return this.running.size;
  }

  /** Start `job`; `onEnd` runs once, after the sender's last read of the descriptor. Throws if no thread can start. */
  run(job: TransferJob, onEnd: (outcome: TransferOutcome) => void): void {
    const { content, params } = job;
    const handle = this.addon.send(
      {
        ...(content.kind === 'file' ? { fd: content.fd } : { bytes: content.bytes }),
        size: content.size,
        blockSize: params.blockSize,
        windowSize: params.windowSize,
        timeoutMs: params.timeoutMs,
        maxRetries: MAX_RETRIES,
        spinMicros: this.busyPollMicros,
        localAddress: job.host,
        peerAddress: job.peer.address,
        peerPort: job.peer.port,
        oack: params.acknowledged.size > 0 ? encodeOack(params.acknowledged) : undefined,
      },
      (o) => {
        this.running.delete(job.id);
        onEnd(
          o.status === 'sent'
            ? { status: 'sent', bytes: content.size, blockSize: params.blockSize, windowSize: params.windowSize }
            : { status: o.status, reason: o.reason },
        );
      },
      this.onCallbackError,
    );
    this.running.set(job.id, handle);
  }

  cancelAll(reason: string): void {
    for (const handle of this.running.values()) this.addon.cancel(handle, reason);
  }
}
