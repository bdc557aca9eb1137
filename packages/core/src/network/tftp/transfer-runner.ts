import { createSocket } from 'node:dgram';
import type { TransferContent } from './block-source.js';
import { PacketReader } from './packet-reader.js';
import { ReadTransfer, type TransferOutcome, type TransferPeer } from './read-transfer.js';
import { TransferClock } from './transfer-clock.js';
import type { NegotiatedTransfer } from './tftp-options.js';

/** Everything a thread needs to run one transfer; plain data, so it crosses to a worker. */
export interface TransferJob {
  id: number;
  /** Local address for the transfer socket (undefined: any). */
  host: string | undefined;
  peer: TransferPeer;
  content: TransferContent;
  params: NegotiatedTransfer;
}

export type TransferEnded = (id: number, outcome: TransferOutcome) => void;

/**
 * Runs transfers in the current thread (a worker, or the main thread when there are none): each
 * gets its own socket bound to the server address and connected to the client. `ended` is called
 * once per job, and only when no file read of the job is in flight any more, so the owner of the
 * descriptor may close it then.
 */
export class TransferRunner {
  private readonly clock = new TransferClock();
  private readonly running = new Map<number, ReadTransfer>();
  private readonly cancelled = new Set<number>();

  constructor(private readonly ended: TransferEnded) {}

  get size(): number {
    return this.running.size;
  }

  start(job: TransferJob): void {
    let reported = false;
    const report = (outcome: TransferOutcome, reader?: PacketReader) => {
      if (reported) return;
      reported = true;
      this.running.delete(job.id);
      this.cancelled.delete(job.id);
      const tell = () => this.ended(job.id, outcome);
      // Always later than start() returns, so the owner has recorded the job.
      (reader ? reader.settled() : Promise.resolve()).then(tell, tell);
    };
    try {
      const reader = new PacketReader(job.content, job.params.blockSize, job.params.windowSize);
      const socket = createSocket('udp4');
      // Until the transfer owns the socket, an error (bind or connect failing) abandons the job.
      const early = (e: Error) => abandon(`socket error: ${e.message}`);
      socket.on('error', early);
      const abandon = (reason: string) => {
        try {
          socket.close();
        } catch {
          /* already closed */
        }
        report({ status: 'failed', reason }, reader);
      };
      socket.bind(0, job.host, () => {
        if (this.cancelled.has(job.id)) return abandon('server shutting down');
        socket.connect(job.peer.port, job.peer.address, (err?: Error) => {
          if (err) return abandon(`cannot reach the client: ${err.message}`);
          if (this.cancelled.has(job.id)) return abandon('server shutting down');
          try {
            socket.off('error', early);
            const transfer = new ReadTransfer(socket, reader, job.params, this.clock, (outcome) => report(outcome, reader));
            this.running.set(job.id, transfer);
            transfer.start();
          } catch (e) {
            abandon(`internal error: ${(e as Error)?.message ?? e}`);
          }
        });
      });
    } catch (e) {
      report({ status: 'failed', reason: `internal error: ${(e as Error)?.message ?? e}` });
    }
  }

  cancel(id: number, reason: string): void {
    const t = this.running.get(id);
    if (t) t.cancel(reason);
    else this.cancelled.add(id);
  }

  cancelAll(reason: string): void {
    for (const t of [...this.running.values()]) t.cancel(reason);
  }
}
