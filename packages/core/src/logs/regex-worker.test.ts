import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { RegexWorker } from './regex-worker.js';

const worker = new RegexWorker();
afterAll(() => worker.close());

/** CPU time (ms) of each thread of this process (Linux). */
function threadCpuMs(): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      out.set(tid, Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]) / 1e6);
    } catch {
      /* the thread ended */
    }
  }
  return out;
}

describe('RegexWorker.warm', () => {
  it('resolves only once the worker has started and answered (so the server is ready after it, not during its start-up)', async () => {
    const before = threadCpuMs();
    await worker.warm();
    const started = [...threadCpuMs()].filter(([tid]) => !before.has(tid));
    // The worker's thread booted a Node environment and loaded re2js before answering: tens of ms of CPU.
    expect(Math.max(0, ...started.map(([, ms]) => ms))).toBeGreaterThan(10);
    expect([...(await worker.match('b+', ['abba', 'x']))]).toEqual([1, 0]);
  });
});
