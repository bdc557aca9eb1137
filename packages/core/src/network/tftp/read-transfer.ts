import type { Socket } from 'node:dgram';
import type { PacketReader } from './packet-reader.js';
import type { TransferClock, Ticking } from './transfer-clock.js';
import type { NegotiatedTransfer } from './tftp-options.js';
import { decodeTransferPacket, encodeError, encodeOack, OP, TFTP_ERROR } from './tftp-packets.js';

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
export const MAX_RETRIES = 6;

/**
 * One read transfer (RRQ) on its own socket (its TID), connected to the client: the kernel drops
 * datagrams from any other address, and sends need no address lookup: optional OACK, then windows
 * of blocks (RFC 7440; a window of 1 is plain RFC 1350 lock-step), retransmitted on timeout.
 * Block numbers roll over from 65535 to 0. Duplicate ACKs are ignored (no Sorcerer's Apprentice).
 *
 * The per-ACK path allocates nothing of its own: the ACK is read in place, packets are views of
 * the read-ahead chunk (PacketReader), and the timeout is a flag the thread's clock checks.
 */
export class ReadTransfer implements Ticking {
  private readonly blockSize: number;
  private readonly windowSize: number;
  private readonly totalBlocks: number;
  /** First block not acknowledged yet (absolute, from 1). */
  private base = 1;
  /** Last block sent in the current window (absolute; 0 before any data). */
  private windowEnd = 0;
  private awaitingOackAck: boolean;
  private retries = 0;
  private finished = false;
  /** Bumped by every window sent, so a window waiting for a read is not sent after a newer one. */
  private generation = 0;
  /** Set by progress; the clock counts idle time only while it stays false. */
  private progressed = true;
  private idleMs = 0;

  constructor(
    private readonly socket: Socket,
    private readonly reader: PacketReader,
    private readonly params: NegotiatedTransfer,
    private readonly clock: TransferClock,
    private readonly done: (outcome: TransferOutcome) => void,
  ) {
    this.blockSize = params.blockSize;
    this.windowSize = params.windowSize;
    this.totalBlocks = reader.totalBlocks;
    this.awaitingOackAck = params.acknowledged.size > 0;
    socket.on('message', (msg) => {
      try {
        this.onMessage(msg);
      } catch (e) {
        // A bug of ours must end this transfer only, not the thread running the others.
        this.finish({ status: 'failed', reason: `internal error: ${(e as Error)?.message ?? e}` });
      }
    });
    // Send errors are transient (the retransmission recovers); a dead socket ends the transfer.
    socket.on('error', (e: NodeJS.ErrnoException) =>
      // ICMP port unreachable on the connected socket: the client is gone (it aborted).
      this.finish(e.code === 'ECONNREFUSED' ? { status: 'aborted', reason: 'client went away' } : { status: 'failed', reason: `socket error: ${e.message}` }),
    );
  }

  start(): void {
    this.clock.add(this);
    if (this.awaitingOackAck) this.sendOack();
    else this.sendWindow();
  }

  /** Stop at once (server shutting down). */
  cancel(reason: string): void {
    this.sendRaw(encodeError(TFTP_ERROR.undefined, reason));
    this.finish({ status: 'failed', reason });
  }

  tick(periodMs: number): void {
    if (this.finished) return;
    if (this.progressed) {
      this.progressed = false;
      this.idleMs = 0;
      return;
    }
    this.idleMs += periodMs;
    if (this.idleMs < this.params.timeoutMs) return;
    this.idleMs = 0;
    if (++this.retries > MAX_RETRIES) {
      this.finish({ status: 'failed', reason: 'timed out waiting for the client' });
      return;
    }
    if (this.awaitingOackAck) this.sendOack();
    else this.sendWindow();
  }

  private sendOack(): void {
    this.sendRaw(encodeOack(this.params.acknowledged));
  }

  private onMessage(msg: Buffer): void {
    if (this.finished || msg.length < 4) return;
    // The socket is connected: only the client's datagrams arrive. ACKs are read in place.
    const opcode = msg.readUInt16BE(0);
    if (opcode !== OP.ACK) return this.onOther(msg);
    const block = msg.readUInt16BE(2);
    if (this.awaitingOackAck) {
      if (block !== 0) return;
      this.awaitingOackAck = false;
      this.acknowledged();
      this.sendWindow();
      return;
    }
    // Map the 16-bit number onto the window in flight; anything else is stale or bogus.
    const offset = (block - ((this.base - 1) & 0xffff)) & 0xffff;
    const acked = this.base - 1 + offset;
    if (offset === 0 || acked > this.windowEnd) return;
    this.base = acked + 1;
    this.acknowledged();
    if (acked >= this.totalBlocks) {
      this.finish({ status: 'sent', bytes: this.reader.size, blockSize: this.blockSize, windowSize: this.windowSize });
      return;
    }
    this.sendWindow();
  }

  private onOther(msg: Buffer): void {
    const p = decodeTransferPacket(msg);
    if (p?.op === 'ERROR') {
      this.finish({ status: 'aborted', reason: `client error ${p.code}${p.message ? ` (${p.message})` : ''}` });
      return;
    }
    this.sendRaw(encodeError(TFTP_ERROR.illegalOperation, 'Illegal TFTP operation'));
    this.finish({ status: 'failed', reason: `unexpected packet (opcode ${msg.readUInt16BE(0)}) from the client` });
  }

  private acknowledged(): void {
    this.retries = 0;
    this.progressed = true;
  }

  private sendWindow(): void {
    const first = this.base;
    const last = Math.min(first + this.windowSize - 1, this.totalBlocks);
    const gen = ++this.generation;
    const pending = this.reader.ensure(first, last);
    if (!pending) {
      this.emitWindow(first, last);
      return;
    }
    pending.then(
      () => {
        if (gen !== this.generation || this.finished) return;
        try {
          this.emitWindow(first, last);
        } catch (e) {
          this.finish({ status: 'failed', reason: `internal error: ${(e as Error)?.message ?? e}` });
        }
      },
      (e: Error) => {
        if (this.finished) return;
        this.sendRaw(encodeError(TFTP_ERROR.undefined, 'Read error'));
        this.finish({ status: 'failed', reason: `read error: ${e.message}` });
      },
    );
  }

  private emitWindow(first: number, last: number): void {
    const socket = this.socket;
    const reader = this.reader;
    this.windowEnd = last;
    for (let b = first; b <= last; b++) socket.send(reader.packet(b));
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
    this.clock.delete(this);
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
