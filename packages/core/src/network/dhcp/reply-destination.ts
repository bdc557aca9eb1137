import { DhcpMessageType, FLAG_BROADCAST, type DhcpPacket } from '@walt/sdk/dhcp';

/** Where a server reply goes (RFC 2131 section 4.1). */
export type ReplyDestination =
  /** 255.255.255.255, out of walt-net only. */
  | { kind: 'broadcast' }
  /** An address the client holds already (ciaddr). */
  | { kind: 'unicast'; ip: string }
  /** The address being offered (yiaddr), at the client's MAC: the client does not answer ARP for it yet. */
  | { kind: 'hardware'; ip: string; mac: string };

/**
 * RFC 2131 section 4.1, for requests that reached walt-net directly. (Relayed requests, giaddr set,
 * are ignored before this: WalT serves walt-net itself, so the giaddr rules never apply.)
 * - NAK: broadcast.
 * - ciaddr set (RENEWING, REBINDING, INFORM): unicast to ciaddr.
 * - broadcast flag set: broadcast. The client cannot receive a unicast before it holds an address.
 * - otherwise: unicast to yiaddr at chaddr.
 * An ACK to an INFORM without ciaddr has no yiaddr: broadcast.
 */
export function replyDestination(request: Pick<DhcpPacket, 'ciaddr' | 'flags' | 'chaddr'>, type: DhcpMessageType, yiaddr?: string): ReplyDestination {
  if (type === DhcpMessageType.NAK) return { kind: 'broadcast' };
  if (request.ciaddr !== '0.0.0.0') return { kind: 'unicast', ip: request.ciaddr };
  if (request.flags & FLAG_BROADCAST || !yiaddr) return { kind: 'broadcast' };
  return { kind: 'hardware', ip: yiaddr, mac: request.chaddr };
}
