import { serializeDhcpReply, type DhcpReplyFields } from '../dhcp/dhcp-codec.js';
import { BOOTREQUEST, FLAG_BROADCAST, Opt, type DhcpMessageType } from '../dhcp/dhcp-packet.js';

export interface ClientRequestFields {
  /** "aa:bb:cc:dd:ee:ff", or the 16-byte chaddr field itself. */
  mac: string | Buffer;
  xid: number;
  /** DHCP message type (option 53), first in the options. */
  type: DhcpMessageType | number;
  options?: Array<[number, Buffer]>;
  broadcast?: boolean;
}

/**
 * A client's DHCP request as it goes on the wire (BOOTREQUEST, no addresses yet): what the client
 * simulator sends, and what tests build requests and malformed packets from.
 */
export function buildClientRequest(r: ClientRequestFields, overrides: Partial<DhcpReplyFields> = {}): Buffer {
  let chaddr = r.mac;
  if (typeof chaddr === 'string') {
    const hex = chaddr;
    chaddr = Buffer.alloc(16);
    hex.split(':').forEach((h, i) => ((chaddr as Buffer)[i] = parseInt(h, 16)));
  }
  return serializeDhcpReply({
    op: BOOTREQUEST,
    xid: r.xid,
    flags: r.broadcast ? FLAG_BROADCAST : 0,
    ciaddr: '0.0.0.0',
    yiaddr: '0.0.0.0',
    siaddr: '0.0.0.0',
    giaddr: '0.0.0.0',
    chaddr,
    hlen: 6,
    htype: 1,
    sname: '',
    file: '',
    options: [[Opt.MESSAGE_TYPE, Buffer.from([r.type])], ...(r.options ?? [])],
    ...overrides,
  });
}
