import { describe, expect, it } from 'vitest';
import { DhcpMessageType, FLAG_BROADCAST } from '@walt/sdk/dhcp';
import { replyDestination } from './reply-destination.js';

const MAC = 'b8:27:eb:00:00:01';
const fresh = { ciaddr: '0.0.0.0', flags: 0, chaddr: MAC };

/** RFC 2131 section 4.1, the server's side, for requests that were not relayed. */
describe('replyDestination', () => {
  it('broadcast flag set, no ciaddr: OFFER and ACK go to 255.255.255.255', () => {
    for (const type of [DhcpMessageType.OFFER, DhcpMessageType.ACK]) {
      expect(replyDestination({ ...fresh, flags: FLAG_BROADCAST }, type, '192.168.152.10')).toEqual({ kind: 'broadcast' });
    }
  });

  it('broadcast flag clear, no ciaddr: unicast to yiaddr at chaddr', () => {
    expect(replyDestination(fresh, DhcpMessageType.OFFER, '192.168.152.10')).toEqual({ kind: 'hardware', ip: '192.168.152.10', mac: MAC });
    expect(replyDestination(fresh, DhcpMessageType.ACK, '192.168.152.10')).toEqual({ kind: 'hardware', ip: '192.168.152.10', mac: MAC });
  });

  it('ciaddr set (RENEWING, REBINDING, INFORM): unicast to ciaddr, whatever the flag says', () => {
    for (const flags of [0, FLAG_BROADCAST]) {
      expect(replyDestination({ ...fresh, flags, ciaddr: '192.168.152.20' }, DhcpMessageType.ACK, '192.168.152.20')).toEqual({ kind: 'unicast', ip: '192.168.152.20' });
    }
  });

  it('NAK: always broadcast, even to a client with ciaddr', () => {
    expect(replyDestination({ ...fresh, ciaddr: '192.168.152.20' }, DhcpMessageType.NAK)).toEqual({ kind: 'broadcast' });
    expect(replyDestination(fresh, DhcpMessageType.NAK)).toEqual({ kind: 'broadcast' });
  });

  it('an ACK without yiaddr nor ciaddr (INFORM from a client with no address): broadcast', () => {
    expect(replyDestination(fresh, DhcpMessageType.ACK)).toEqual({ kind: 'broadcast' });
  });
});
