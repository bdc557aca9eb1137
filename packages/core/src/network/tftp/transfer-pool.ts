import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { TransferOutcome } from './read-transfer.js';
import { TransferRunner, type TransferJob } from './transfer-runner.js';
import type { FromWorker, ToWorker } from './transfer-worker.js';

/** Worker threads for transfers by default: one per core, at most 4. */
export function defaultTransferWorkers(): number {
  return Math.min(availableParallelism(), 4);
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
 * Spreads transfers over worker threads so that many parallel transfers use every core: the main
 * thread decodes requests, resolves and opens files, and hands each transfer (descriptor or bytes,
 * negotiated options) to the least busy worker, which owns its socket. A worker that dies takes
 * only its own transfers with it (reported failed); the next transfer starts a fresh one.
 */
export class TransferPool {
  private readonly slots: Array<WorkerSlot | undefined>;
  private readonly script: string | undefined;
  private local: TransferRunner | undefined;
  private readonly ended = new Map<number, (outcome: TransferOutcome) => void>();
  private readonly where = new Map<number, WorkerSlot | 'local'>();
  private nextId = 1;

  constructor(
    workers: number,
    private readonly onWorkerError: (e: unknown) => void = () => undefined,
  ) {
    this.script = workers > 0 ? workerScript() : undefined;
    this.slots = new Array(this.script ? workers : 0).fill(undefined);
  }

  /**
   * Start the worker threads now rather than at the first transfer: a thread takes tens of
   * milliseconds to start, which a booting node would otherwise wait for on its first file.
   */
  prestart(): void {
    for (let i = 0; i < this.slots.length; i++) if (!this.slots[i] || this.slots[i]!.dead) this.slots[i] = this.spawn();
  }

  /** Worker threads in use (0: transfers run on the main thread). */
  get threads(): number {
    return this.slots.length;
  }

  get active(): number {
    return this.ended.size;
  }

  /** Run a transfer; `onEnd` is called once, after every read of it has settled. */
  run(job: Omit<TransferJob, 'id'>, onEnd: (outcome: TransferOutcome) => void): number {
    const id = this.nextId++;
    const full: TransferJob = { ...job, id };
    this.ended.set(id, onEnd);
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
    for (const s of this.slots) if (s && !s.dead) s.worker.postMessage({ type: 'cancel-all', reason } satisfies ToWorker);
    const deadline = Date.now() + waitMs;
    while (this.ended.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await Promise.all(this.slots.map((s) => (s && !s.dead ? s.worker.terminate().catch(() => undefined) : undefined)));
    for (const id of [...this.ended.keys()]) this.finish(id, { status: 'failed', reason });
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
    if (slot && slot !== 'local') slot.jobs.delete(id);
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
