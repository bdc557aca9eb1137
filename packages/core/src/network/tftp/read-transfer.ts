import type { Socket } from 'node:dgram';
import type { BlockSource } from './block-source.js';
import type { NegotiatedTransfer } from './tftp-options.js';
import { dataPacket, decodeTransferPacket, encodeError, encodeOack, TFTP_ERROR } from './tftp-packets.js';

export interface TransferPeer {
  address: string;
  port: number;
}

/** How a transfer ended. `aborted` is a client that stopped (tsize probes do): not a failure of ours. */
export type TransferOutcome =
  | { status: 'sent'; bytes: number; blockSize: number; windowSize: number }
  | { status: 'aborted'; reason: string }
  | { status: 'failed'; reason: string };

/** Retransmissions of one window before giving up. */
const MAX_RETRIES = 6;

/**
 * One read transfer (RRQ) on its own socket (its TID), connected to the client: the kernel drops
 * datagrams from any other address, and sends need no address lookup: optional OACK, then windows of blocks
 * (RFC 7440; a window of 1 is plain RFC 1350 lock-step), retransmitted on timeout. Block numbers
 * roll over from 65535 to 0. Duplicate ACKs are ignored (no Sorcerer's Apprentice).
 */
export class ReadTransfer {
  private readonly blockSize: number;
  private readonly windowSize: number;
  private readonly totalBlocks: number;
  /** First block not acknowledged yet (absolute, from 1). */
  private base = 1;
  /** Last block sent in the current window (absolute; 0 before any data). */
  private windowEnd = 0;
  private awaitingOackAck: boolean;
  private timer: NodeJS.Timeout | undefined;
  private retries = 0;
  private finished = false;
  private generation = 0;
  private retransmit: () => void = () => undefined;

  constructor(
    private readonly socket: Socket,
    private readonly peer: TransferPeer,
    private readonly source: BlockSource,
    private readonly params: NegotiatedTransfer,
    private readonly done: (outcome: TransferOutcome) => void,
  ) {
    this.blockSize = params.blockSize;
    this.windowSize = params.windowSize;
    this.totalBlocks = Math.floor(source.size / this.blockSize) + 1;
    this.awaitingOackAck = params.acknowledged.size > 0;
    socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo));
    // Send errors are transient (the retransmission recovers); a dead socket ends the transfer.
    socket.on('error', (e: NodeJS.ErrnoException) =>
      // ICMP port unreachable on the connected socket: the client is gone (it aborted).
      this.finish(e.code === 'ECONNREFUSED' ? { status: 'aborted', reason: 'client went away' } : { status: 'failed', reason: `socket error: ${e.message}` }),
    );
  }

  start(): void {
    if (this.awaitingOackAck) this.sendOack();
    else this.sendWindow();
  }

  /** Stop at once (server shutting down). */
  cancel(reason: string): void {
    this.sendRaw(encodeError(TFTP_ERROR.undefined, reason));
    this.finish({ status: 'failed', reason });
  }

  private sendOack(): void {
    this.sendRaw(encodeOack(this.params.acknowledged));
    this.arm(() => this.sendOack());
  }

  private onMessage(msg: Buffer, rinfo: { address: string; port: number }): void {
    if (this.finished) return;
    if (rinfo.port !== this.peer.port || rinfo.address !== this.peer.address) return;
    const p = decodeTransferPacket(msg);
    if (!p) return;
    if (p.op === 'ERROR') {
      this.finish({ status: 'aborted', reason: `client error ${p.code}${p.message ? ` (${p.message})` : ''}` });
      return;
    }
    if (p.op !== 'ACK') {
      this.sendRaw(encodeError(TFTP_ERROR.illegalOperation, 'Illegal TFTP operation'));
      this.finish({ status: 'failed', reason: `unexpected packet (opcode ${p.op === 'OTHER' ? p.opcode : p.op}) from the client` });
      return;
    }
    if (this.awaitingOackAck) {
      if (p.block !== 0) return;
      this.awaitingOackAck = false;
      this.retries = 0;
      this.sendWindow();
      return;
    }
    // Map the 16-bit number onto the window in flight; anything else is stale or bogus.
    const offset = (p.block - ((this.base - 1) & 0xffff)) & 0xffff;
    const acked = this.base - 1 + offset;
    if (offset === 0 || acked > this.windowEnd) return;
    this.base = acked + 1;
    this.retries = 0;
    if (acked >= this.totalBlocks) {
      this.finish({ status: 'sent', bytes: this.source.size, blockSize: this.blockSize, windowSize: this.windowSize });
      return;
    }
    this.sendWindow();
  }

  private sendWindow(): void {
    const first = this.base;
    const last = Math.min(first + this.windowSize - 1, this.totalBlocks);
    const start = (first - 1) * this.blockSize;
    const end = last * this.blockSize;
    const gen = ++this.generation;
    const pending = this.source.ensure(start, end);
    if (pending) {
      pending.then(
        () => {
          if (gen === this.generation && !this.finished) this.emitWindow(first, last);
        },
        (e: Error) => {
          this.sendRaw(encodeError(TFTP_ERROR.undefined, 'Read error'));
          this.finish({ status: 'failed', reason: `read error: ${e.message}` });
        },
      );
    } else {
      this.emitWindow(first, last);
    }
  }

  private emitWindow(first: number, last: number): void {
    for (let b = first; b <= last; b++) {
      const offset = (b - 1) * this.blockSize;
      this.socket.send(dataPacket(b, this.source.slice(offset, offset + this.blockSize)));
    }
    this.windowEnd = last;
    this.arm(() => this.sendWindow());
  }

  /** (Re)start the retransmission timer; one timer per transfer, refreshed rather than recreated. */
  private arm(retransmit: () => void): void {
    this.retransmit = retransmit;
    if (this.timer) {
      this.timer.refresh();
      return;
    }
    this.timer = setTimeout(() => this.onTimeout(), this.params.timeoutMs);
  }

  private onTimeout(): void {
    if (this.finished) return;
    if (++this.retries > MAX_RETRIES) {
      this.finish({ status: 'failed', reason: 'timed out waiting for the client' });
      return;
    }
    this.retransmit();
    this.timer?.refresh();
  }

  private sendRaw(packet: Buffer): void {
    try {
      this.socket.send(packet);
    } catch {
      /* socket already closed */
    }
  }

  private finish(outcome: TransferOutcome): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.timer);
    this.source.close();
    // Let queued sends (the last error packet) leave before closing.
    setImmediate(() => {
      try {
        this.socket.close();
      } catch {
        /* already closed */
      }
    });
    this.done(outcome);
  }
}
