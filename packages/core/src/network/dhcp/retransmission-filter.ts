import type { ReplyDestination } from './reply-destination.js';

/** How long an exchange is remembered: RFC 2131 4.1's backoff gives up on an xid after about a minute. */
export const EXCHANGE_MEMORY_MS = 60_000;
/** At most this many clients remembered: a flood of made-up MACs costs no more memory than this. */
export const MAX_EXCHANGES = 4096;

/** The ACK of an exchange, kept to send again when the client says it did not get it. */
export interface SentAck {
  reply: Buffer;
  to: ReplyDestination;
  ip: string;
}

/** What to do with a DISCOVER or REQUEST. */
export type RetransmissionVerdict =
  | { kind: 'handle' }
  /** The answer is on its way (being committed, or sent after the client sent this copy): drop it. */
  | { kind: 'duplicate' }
  /** The client sent this copy after its ACK left: the ACK may have been lost, send it again as it was. */
  | { kind: 'resend'; ack: SentAck };

interface Exchange {
  xid: number;
  /** A REQUEST of this exchange waits for its commit: its ACK comes after. */
  committing: boolean;
  /** The last reply sent in this exchange and when it left (the transport's clock). */
  answered?: { type: 'OFFER' | 'ACK'; at: number; ack?: SentAck };
  touchedAt: number;
}

/**
 * The exchanges in progress, per client MAC and xid, so that a retransmission costs no second
 * commit. A client retransmits when its reply is late; on a busy server each copy was handled in
 * full (address book, registry lookups, a registration in the batch, a second ACK), which made the
 * server later still: the copies piled up (docs/decisions/0012-performance-on-a-busy-machine.md). A
 * copy is a duplicate when its exchange is being committed, or when the kernel received it before
 * the reply to that message left (the client sent it before it could have seen the reply). A copy
 * received after the ACK left may mean the ACK was lost: the same ACK is sent again, without a
 * commit. Anything else (a new xid, a REQUEST after the OFFER) is handled as before.
 */
export class RetransmissionFilter {
  private readonly exchanges = new Map<string, Exchange>();

  constructor(
    private readonly maxExchanges = MAX_EXCHANGES,
    private readonly memoryMs = EXCHANGE_MEMORY_MS,
  ) {}

  /** The verdict for a message of `mac` and `xid` that the kernel received at `receivedAt`, given the time `now`. */
  check(mac: string, xid: number, type: 'DISCOVER' | 'REQUEST', receivedAt: number, now: number): RetransmissionVerdict {
    const e = this.exchanges.get(mac);
    if (!e || e.xid !== xid || now - e.touchedAt > this.memoryMs) return { kind: 'handle' };
    if (e.committing) return { kind: 'duplicate' };
    const answered = e.answered;
    if (!answered) return { kind: 'handle' };
    if (type === 'REQUEST') {
      if (answered.type !== 'ACK') return { kind: 'handle' }; // the REQUEST that follows the OFFER
      if (receivedAt <= answered.at) return { kind: 'duplicate' };
      return answered.ack ? { kind: 'resend', ack: answered.ack } : { kind: 'handle' };
    }
    // A DISCOVER sent before the last reply left (its OFFER, or the ACK of its REQUEST) crossed it.
    return receivedAt <= answered.at ? { kind: 'duplicate' } : { kind: 'handle' };
  }

  /** An OFFER left at `at`. */
  offered(mac: string, xid: number, at: number): void {
    this.set(mac, { xid, committing: false, answered: { type: 'OFFER', at }, touchedAt: at });
  }

  /** A REQUEST was accepted and waits for its commit. */
  committing(mac: string, xid: number, now: number): void {
    const e = this.exchanges.get(mac);
    this.set(mac, { xid, committing: true, answered: e?.xid === xid ? e.answered : undefined, touchedAt: now });
  }

  /** Its ACK left at `at`. */
  acked(mac: string, xid: number, at: number, ack: SentAck): void {
    this.set(mac, { xid, committing: false, answered: { type: 'ACK', at, ack }, touchedAt: at });
  }

  /** Its commit failed: no ACK is coming, the next copy is handled in full. */
  abandoned(mac: string, xid: number): void {
    if (this.exchanges.get(mac)?.xid === xid) this.exchanges.delete(mac);
  }

  get size(): number {
    return this.exchanges.size;
  }

  /** Newest last (Map order), so the oldest are dropped first when the table is full or stale. */
  private set(mac: string, e: Exchange): void {
    this.exchanges.delete(mac);
    this.exchanges.set(mac, e);
    for (const [oldest, x] of this.exchanges) {
      if (this.exchanges.size <= this.maxExchanges && e.touchedAt - x.touchedAt <= this.memoryMs) break;
      this.exchanges.delete(oldest);
    }
  }
}
