import { BOOTREQUEST, DhcpMessageType, Opt, parseDhcpPacket, serializeDhcpReply } from '@walt/sdk/dhcp';
import { buildReply } from './dhcp-reply.js';
import { decodeDhcpRequest } from './dhcp-request.js';
import type { Ipv4Subnet } from './ipv4.js';
import { replyDestination } from './reply-destination.js';

/** Synthetic exchanges run at start-up: enough calls for V8 to compile the hot functions optimized. */
export const WARM_UP_EXCHANGES = 300;

/**
 * Run the DHCP path's pure code (parse, decode, build and address the reply) on synthetic DISCOVERs
 * and REQUESTs before the socket opens: a fresh server otherwise interprets and compiles these
 * functions while its first nodes wait. Nothing is stored, sent, logged or asked of plugins.
 */
export function warmUpDhcpPath(serverIp: string, serverName: string, subnet: Ipv4Subnet, exchanges = WARM_UP_EXCHANGES): void {
  const vendorClass = Buffer.from('walt.node.warm-up', 'latin1');
  for (let i = 0; i < exchanges; i++) {
    const chaddr = Buffer.alloc(16);
    chaddr.writeUInt32BE(0x02000000 + i, 0); // locally administered MACs, never a real client's
    for (const type of [DhcpMessageType.DISCOVER, DhcpMessageType.REQUEST]) {
      const options: Array<[number, Buffer]> = [[Opt.MESSAGE_TYPE, Buffer.from([type])]];
      if (i % 2) options.push([Opt.VENDOR_CLASS, vendorClass]);
      if (type === DhcpMessageType.REQUEST) options.push([Opt.REQUESTED_IP, Buffer.from([10, 0, i >> 8, i & 255])], [Opt.SERVER_ID, Buffer.from(serverIp.split('.').map(Number))]);
      const wire = serializeDhcpReply({ op: BOOTREQUEST, xid: i, flags: 0, ciaddr: '0.0.0.0', yiaddr: '0.0.0.0', siaddr: '0.0.0.0', giaddr: '0.0.0.0', chaddr, hlen: 6, htype: 1, sname: '', file: '', options });
      const request = decodeDhcpRequest(parseDhcpPacket(wire));
      const reply = buildReply(request, {
        type: type === DhcpMessageType.DISCOVER ? DhcpMessageType.OFFER : DhcpMessageType.ACK,
        yiaddr: `10.0.${i >> 8}.${i & 255}`,
        serverIp,
        serverName,
        subnet,
        hostName: i % 2 ? `warm-up-${i}` : undefined,
        nat: false,
        boot: {},
      });
      replyDestination(request.packet, DhcpMessageType.ACK, `10.0.${i >> 8}.${i & 255}`);
      parseDhcpPacket(reply);
    }
  }
}
