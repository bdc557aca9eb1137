import { parentPort } from 'node:worker_threads';
import { TransferRunner, type TransferJob } from './transfer-runner.js';

/** Messages from the main thread to a transfer worker. */
export type ToWorker = { type: 'start'; job: TransferJob } | { type: 'cancel'; id: number; reason: string } | { type: 'cancel-all'; reason: string };

/** Messages from a transfer worker to the main thread. */
export type FromWorker = { type: 'ended'; id: number; outcome: import('./read-transfer.js').TransferOutcome };

/**
 * A transfer worker thread: owns the sockets of the transfers the main thread hands it. Nothing a
 * message or a client does may throw out of here (that would end the thread and every transfer
 * it runs); the main thread still copes if it happens.
 */
if (parentPort) {
  const port = parentPort;
  const runner = new TransferRunner((id, outcome) => port.postMessage({ type: 'ended', id, outcome } satisfies FromWorker));
  port.on('message', (m: ToWorker) => {
    try {
      if (m.type === 'start') runner.start(m.job);
      else if (m.type === 'cancel') runner.cancel(m.id, m.reason);
      else if (m.type === 'cancel-all') runner.cancelAll(m.reason);
    } catch {
      /* start() and cancel() report their own failures; nothing else can throw */
    }
  });
}
