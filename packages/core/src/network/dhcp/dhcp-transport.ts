import type { ReplyDestination } from './reply-destination.js';

/** Where a datagram came from. */
export interface DatagramOrigin {
  address: string;
  port: number;
  /**
   * The interface it arrived on, when the transport can tell: `waltNet` false means another
   * interface than walt-net (the request is ignored). Absent: unknown (the portable transport).
   */
  arrival?: { waltNet: boolean; interface: string };
  /**
   * When the kernel received it, on the transport's `now()` clock (absent: unknown, the portable
   * transport). Tells a retransmission sent before the client could see the reply from a later one.
   */
  receivedAt?: number;
}

/** A throttled error line: `key` groups repeats of the same problem. */
export type TransportReport = (key: string, line: string) => void;

/**
 * The DHCP server's socket layer: receives requests and sends replies where RFC 2131 section 4.1
 * says (docs/decisions/0009-dhcp-reply-addressing.md). Two implementations: the native socket of
 * @walt/tftp-native, and Node's dgram when the addon is not built (or for loopback tests).
 */
export interface DhcpTransport {
  /** How replies are sent, for the start-up line. */
  readonly description: string;
  /** True when this is the fallback of a server that should have the native socket. */
  readonly degraded: boolean;
  readonly port: number;
  /** The clock of `receivedAt`, in milliseconds. */
  now(): number;
  start(onMessage: (msg: Buffer, origin: DatagramOrigin) => void): Promise<void>;
  /** Send a reply to client port `port`; a failure is reported, never thrown. */
  send(reply: Buffer, to: ReplyDestination, port: number): void;
  stop(): Promise<void>;
}
