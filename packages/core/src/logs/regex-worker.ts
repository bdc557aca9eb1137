import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * The worker's code: RE2JS (linear-time matching, no backtracking) over batches of texts. Kept as
 * source so that it runs the same from src (vitest) and from dist, and never falls back to the
 * main thread. Compiled patterns are cached (a realtime session sends the same one every batch).
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { RE2JS } = require(workerData.re2js);
const cache = new Map();
parentPort.on('message', ({ id, pattern, texts }) => {
  try {
    let re = cache.get(pattern);
    if (!re) {
      re = RE2JS.compile(pattern);
      cache.set(pattern, re);
      if (cache.size > 256) cache.delete(cache.keys().next().value);
    }
    const out = new Uint8Array(texts.length);
    for (let i = 0; i < texts.length; i++) out[i] = re.matcher(texts[i]).find() ? 1 : 0;
    parentPort.postMessage({ id, out }, [out.buffer]);
  } catch (e) {
    parentPort.postMessage({ id, error: String((e && e.message) || e) });
  }
});
`;

interface Pending {
  resolve(out: Uint8Array): void;
  reject(e: Error): void;
}

/**
 * Users' regular expressions run here, on a worker thread, never on the thread that serves DHCP
 * and TFTP (issue 14, docs/decisions/0014-security.md): even a linear-time match of a long line
 * costs time that a boot should not wait for. One worker serves every log session, started when
 * first needed and restarted if it dies; it does not keep the process alive.
 */
export class RegexWorker {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  /** For each text, whether `pattern` (RE2 syntax, see posix-regex.ts) finds a match in it. */
  match(pattern: string, texts: readonly string[]): Promise<Uint8Array> {
    if (!texts.length) return Promise.resolve(new Uint8Array(0));
    const worker = this.started();
    const id = this.nextId++;
    return new Promise<Uint8Array>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, pattern, texts });
    });
  }

  /**
   * Start the worker ahead of the first pattern (its start-up then delays no log session); resolves
   * once it has answered a first match, so the server's start-up ends after the worker's (about
   * 50-80 ms of CPU) instead of overlapping the first requests it serves. Never rejects: a worker
   * that failed is started again by the first match that needs it.
   */
  async warm(): Promise<void> {
    await this.match('warm-up', ['warm-up']).catch(() => undefined);
  }

  /** Stop the worker (server stop); pending matches fail. */
  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const re2js = createRequire(import.meta.url).resolve('re2js');
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { re2js } });
    worker.unref();
    worker.on('message', (m: { id: number; out?: Uint8Array; error?: string }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.error !== undefined) p.reject(new Error(m.error));
      else p.resolve(m.out!);
    });
    const fail = (e: Error) => {
      if (this.worker === worker) this.worker = undefined;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', () => fail(new Error('the regular expression worker stopped')));
    this.worker = worker;
    return worker;
  }
}

let shared: RegexWorker | undefined;

/** The process's regex worker. */
export function sharedRegexWorker(): RegexWorker {
  return (shared ??= new RegexWorker());
}
