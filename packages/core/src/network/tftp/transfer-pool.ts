import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { NativeSender } from './native-sender.js';
import type { TransferOutcome } from './read-transfer.js';
import { TransferRunner, type TransferJob } from './transfer-runner.js';
import type { FromWorker, ToWorker } from './transfer-worker.js';

/** Worker threads for transfers by default: one per core, at most 4. */
export function defaultTransferWorkers(): number {
  return Math.min(availableParallelism(), 4);
}

/**
 * Event threads of the native sender by default: 32, or one per core if more; a thread per transfer
 * while up to 32 nodes boot at once. A lab server booting 20 nodes is busy, and the kernel shares a
 * busy CPU per thread: 20 tftpd-hpa processes (one per transfer) got more of it than our 2 threads
 * (0.83x with 20 clients at load 40), or 8 (0.81x to 1.00x), and about as much as 32 (1.02x, 1.04x;
 * docs/decisions/0012-performance-on-a-busy-machine.md). An idle thread sleeps in epoll without a
 * timeout: no wake-ups.
 */
export function defaultNativeThreads(): number {
  return Math.min(64, Math.max(32, availableParallelism())); // the addon takes 64 at most
}

/** Busy-poll for the next ACK, in microseconds, by default (native sender). */
export const DEFAULT_BUSY_POLL_MICROS = 50;

/** How transfers run (config `services.tftp`: engine, workers, busy-poll-us). */
export interface TransferSettings {
  /**
   * 'native' (default): the C sender of @walt/tftp-native, a thread per transfer; when it is not
   * available, worker threads. 'threads': JavaScript worker threads.
   */
  engine?: 'native' | 'threads';
  /** JavaScript worker threads (default: one per core, at most 4; 0: the main thread). The native sender: its event threads (default: defaultNativeThreads()). */
  workers?: number;
  /** Native sender: busy-poll for the next ACK this long before sleeping (0: never). */
  busyPollMicros?: number;
}

/**
 * The compiled worker script. Next to this module in dist; when this module runs from source
 * (vitest), the built copy in dist is used, and without one transfers stay on the main thread.
 */
function workerScript(): string | undefined {
  const here = fileURLToPath(new URL('./transfer-worker.js', import.meta.url));
  if (existsSync(here)) return here;
  const built = here.replace(/([/\\])src([/\\])network([/\\])tftp([/\\])/, '$1dist$2network$3tftp$4');
  return built !== here && existsSync(built) ? built : undefined;
}

interface WorkerSlot {
  worker: Worker;
  jobs: Set<number>;
  dead: boolean;
}

/**
 * Runs the transfers off the main thread: the main thread decodes requests, resolves and opens
 * files, and hands each transfer (descriptor or bytes, negotiated options) to the native sender
 * (a C thread per transfer) or, without it, to the least busy JavaScript worker thread, which
 * owns its socket. A worker that dies takes only its own transfers with it (reported failed);
 * the next transfer starts a fresh one.
 */
export class TransferPool {
  private readonly slots: Array<WorkerSlot | undefined>;
  private readonly script: string | undefined;
  private local: TransferRunner | undefined;
  private readonly native: NativeSender | undefined;
  /** Why the native sender is not used although asked for (undefined: used, or not asked for). */
  readonly nativeUnavailable: string | undefined;
  private readonly ended = new Map<number, (outcome: TransferOutcome) => void>();
  private readonly where = new Map<number, WorkerSlot | 'local' | 'native'>();
  private nextId = 1;

  constructor(
    settings: TransferSettings = {},
    private readonly onWorkerError: (e: unknown) => void = () => undefined,
  ) {
    if ((settings.engine ?? 'native') === 'native') {
      // `workers` sets the event threads of the native sender too (0: the default)
      const native = NativeSender.load(settings.workers || defaultNativeThreads(), settings.busyPollMicros ?? DEFAULT_BUSY_POLL_MICROS, onWorkerError);
      if (typeof native === 'string') this.nativeUnavailable = native;
      else this.native = native;
    }
    const workers = settings.workers ?? defaultTransferWorkers();
    this.script = workers > 0 ? workerScript() : undefined;
    this.slots = new Array(this.script ? workers : 0).fill(undefined);
  }

  /**
   * Start the worker threads now rather than at the first transfer: a thread takes tens of
   * milliseconds to start, which a booting node would otherwise wait for on its first file.
   * The native sender needs none (its event threads start with its first transfer, in microseconds).
   */
  prestart(): void {
    if (this.native) return;
    for (let i = 0; i < this.slots.length; i++) if (!this.slots[i] || this.slots[i]!.dead) this.slots[i] = this.spawn();
  }

  /** Where transfers run, for the start-up log line. */
  describe(): string {
    if (this.native) {
      const { threads, busyPollMicros } = this.native;
      return `the native sender (${threads} event thread${threads === 1 ? '' : 's'}${busyPollMicros ? `, busy-poll ${busyPollMicros} µs` : ''})`;
    }
    const n = this.slots.length;
    const where = n ? `${n} worker thread${n === 1 ? '' : 's'}` : 'the main thread';
    return this.nativeUnavailable ? `${where}; ${this.nativeUnavailable}` : where;
  }

  get active(): number {
    return this.ended.size;
  }

  /** Run a transfer; `onEnd` is called once, after every read of it has settled. */
  run(job: Omit<TransferJob, 'id'>, onEnd: (outcome: TransferOutcome) => void): number {
    const id = this.nextId++;
    const full: TransferJob = { ...job, id };
    this.ended.set(id, onEnd);
    if (this.native) {
      try {
        this.native.run(full, (outcome) => this.finish(id, outcome));
        this.where.set(id, 'native');
        return id;
      } catch (e) {
        // No thread could start (resource limits): this transfer runs in JavaScript instead.
        this.onWorkerError(e);
      }
    }
    const slot = this.pick();
    if (!slot) {
      this.where.set(id, 'local');
      this.runner().start(full);
      return id;
    }
    this.where.set(id, slot);
    slot.jobs.add(id);
    slot.worker.postMessage({ type: 'start', job: full } satisfies ToWorker);
    return id;
  }

  /** Cancel every transfer, wait (bounded) for them to end, then stop the workers. */
  async close(reason: string, waitMs = 2000): Promise<void> {
    this.local?.cancelAll(reason);
    this.native?.cancelAll(reason);
    for (const s of this.slots) if (s && !s.dead) s.worker.postMessage({ type: 'cancel-all', reason } satisfies ToWorker);
    const deadline = Date.now() + waitMs;
    while (this.ended.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await Promise.all(this.slots.map((s) => (s && !s.dead ? s.worker.terminate().catch(() => undefined) : undefined)));
    // A native transfer still running reports by itself once its thread is out (its descriptor
    // must stay open until then); the others are over now.
    for (const id of [...this.ended.keys()]) if (this.where.get(id) !== 'native') this.finish(id, { status: 'failed', reason });
  }

  private runner(): TransferRunner {
    this.local ??= new TransferRunner((id, outcome) => this.finish(id, outcome));
    return this.local;
  }

  private finish(id: number, outcome: TransferOutcome): void {
    const onEnd = this.ended.get(id);
    if (!onEnd) return;
    this.ended.delete(id);
    const slot = this.where.get(id);
    this.where.delete(id);
    if (slot && slot !== 'local' && slot !== 'native') slot.jobs.delete(id);
    onEnd(outcome);
  }

  /** The least busy live worker, starting one where a slot is empty or its worker died. */
  private pick(): WorkerSlot | undefined {
    let best: WorkerSlot | undefined;
    for (let i = 0; i < this.slots.length; i++) {
      let s = this.slots[i];
      if (!s || s.dead) {
        s = this.spawn();
        if (!s) continue;
        this.slots[i] = s;
      }
      if (!best || s.jobs.size < best.jobs.size) best = s;
      if (best.jobs.size === 0) break;
    }
    return best;
  }

  private spawn(): WorkerSlot | undefined {
    let worker: Worker;
    try {
      worker = new Worker(this.script!);
    } catch (e) {
      this.onWorkerError(e);
      return undefined;
    }
    const slot: WorkerSlot = { worker, jobs: new Set(), dead: false };
    worker.on('message', (m: FromWorker) => {
      if (m?.type === 'ended') this.finish(m.id, m.outcome);
    });
    const died = (why: string) => {
      if (slot.dead) return;
      slot.dead = true;
      for (const id of [...slot.jobs]) this.finish(id, { status: 'failed', reason: `transfer thread stopped: ${why}` });
    };
    worker.on('error', (e) => {
      this.onWorkerError(e);
      died(e.message);
    });
    worker.on('exit', (code) => died(`exit code ${code}`));
    // Idle workers must not keep the process alive.
    worker.unref();
    return slot;
  }
}
