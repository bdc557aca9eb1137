import type { DhcpBootReply } from '@walt/sdk';
import { DhcpMessageType, Opt, serializeDhcpReply } from '@walt/sdk/dhcp';
import type { DhcpRequest } from './dhcp-request.js';
import { ipToInt, type Ipv4Subnet } from './ipv4.js';

/** Leases are permanent; the lease time is the original's (about 69 days), clients renew rarely. */
export const LEASE_TIME_SECONDS = 6_000_000;

/** What the server puts in an OFFER, ACK (or INFORM's ACK), besides the boot fields. */
export interface ReplyContent {
  type: DhcpMessageType.OFFER | DhcpMessageType.ACK;
  /** The leased address; undefined for the ACK of an INFORM. */
  yiaddr?: string;
  serverIp: string;
  /** BOOTP sname: the server's name. */
  serverName: string;
  subnet: Ipv4Subnet;
  /** Option 12: the device's name on the platform. */
  hostName?: string;
  /** netsetup=NAT: the server is the device's router (option 3). */
  nat: boolean;
  boot: DhcpBootReply;
}

// Option values are only read (copied into the reply), so the same few values (the server's
// address, the mask, one-byte types) are encoded once rather than allocated for every reply.
const encodedAddresses = new Map<string, Buffer>();
const ip4 = (ip: string) => {
  let b = encodedAddresses.get(ip);
  if (!b) {
    b = Buffer.alloc(4);
    b.writeUInt32BE(ipToInt(ip));
    if (encodedAddresses.size >= 64) encodedAddresses.clear(); // the server's few addresses, not the clients'
    encodedAddresses.set(ip, b);
  }
  return b;
};
const ONE_BYTE = Array.from({ length: 256 }, (_, n) => Buffer.from([n]));
const u8 = (n: number) => ONE_BYTE[n & 255];
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};
const text = (s: string) => Buffer.from(s, 'latin1');
// The few texts every reply repeats (next server, boot file, vendor class), encoded once.
const encodedTexts = new Map<string, Buffer>();
const sharedText = (s: string) => {
  let b = encodedTexts.get(s);
  if (!b) {
    b = text(s);
    if (encodedTexts.size >= 64) encodedTexts.clear(); // a bound, should a plugin vary them per node
    encodedTexts.set(s, b);
  }
  return b;
};
const LEASE_TIME = u32(LEASE_TIME_SECONDS);
const WALT_DOMAIN = text('walt');

/** Option 119 (RFC 3397): DNS wire-format names, here without compression. */
export function domainSearchList(domains: readonly string[]): Buffer {
  const parts: Buffer[] = [];
  for (const d of domains) {
    for (const label of d.split('.').filter(Boolean)) parts.push(u8(label.length), text(label));
    parts.push(u8(0));
  }
  return Buffer.concat(parts);
}

const WALT_SEARCH = domainSearchList(['walt']);

/** The options and header fields of an OFFER or ACK (reference §1.1), serialized. */
export function buildReply(request: DhcpRequest, c: ReplyContent): Buffer {
  const nextServer = c.boot.nextServer ?? c.serverIp;
  const options: Array<[number, Buffer]> = [
    [Opt.MESSAGE_TYPE, u8(c.type)],
    [Opt.SERVER_ID, ip4(c.serverIp)],
  ];
  if (c.yiaddr) options.push([Opt.LEASE_TIME, LEASE_TIME]);
  options.push([Opt.SUBNET_MASK, ip4(c.subnet.maskString)]);
  if (c.nat) options.push([Opt.ROUTER, ip4(c.serverIp)]);
  options.push(
    [Opt.DNS_SERVERS, ip4(c.serverIp)],
    [Opt.DOMAIN_NAME, WALT_DOMAIN],
    [Opt.BROADCAST_ADDRESS, ip4(c.subnet.broadcastString)],
    [Opt.NTP_SERVERS, ip4(c.serverIp)],
    [Opt.TFTP_SERVER_NAME, sharedText(nextServer)],
  );
  if (c.hostName) options.push([Opt.HOST_NAME, text(c.hostName)]);
  if (c.boot.bootFile) options.push([Opt.BOOTFILE_NAME, sharedText(c.boot.bootFile)]);
  if (c.boot.vendorClass) options.push([Opt.VENDOR_CLASS, sharedText(c.boot.vendorClass)]);
  if (c.boot.vendorOptions?.length) options.push([Opt.VENDOR_SPECIFIC, Buffer.from(c.boot.vendorOptions)]);
  if (c.boot.ipxeOptions?.length) options.push([Opt.IPXE_ENCAPSULATED, Buffer.from(c.boot.ipxeOptions)]);
  options.push([Opt.DOMAIN_SEARCH, WALT_SEARCH]);
  const p = request.packet;
  return serializeDhcpReply({
    xid: p.xid,
    flags: p.flags,
    ciaddr: p.ciaddr,
    yiaddr: c.yiaddr ?? '0.0.0.0',
    siaddr: nextServer,
    giaddr: p.giaddr,
    chaddr: macBytes(p.chaddr),
    hlen: p.hlen,
    htype: p.htype,
    sname: c.serverName,
    file: c.boot.bootFile ?? '',
    options,
  });
}

/** A DHCPNAK: the client must restart from DISCOVER. */
export function buildNak(request: DhcpRequest, serverIp: string, message: string): Buffer {
  const p = request.packet;
  return serializeDhcpReply({
    xid: p.xid,
    flags: p.flags,
    ciaddr: '0.0.0.0',
    yiaddr: '0.0.0.0',
    siaddr: '0.0.0.0',
    giaddr: p.giaddr,
    chaddr: macBytes(p.chaddr),
    hlen: p.hlen,
    htype: p.htype,
    sname: '',
    file: '',
    options: [
      [Opt.MESSAGE_TYPE, u8(DhcpMessageType.NAK)],
      [Opt.SERVER_ID, ip4(serverIp)],
      [Opt.MESSAGE, text(message)],
    ],
  });
}

/** chaddr back to its 16 bytes (aa:bb:... has its byte i at characters 3i, 3i+1; the rest is 0). */
function macBytes(mac: string): Buffer {
  const b = Buffer.allocUnsafe(16).fill(0);
  for (let i = 0; i < 16 && 3 * i + 1 < mac.length; i++) b[i] = (hexDigit(mac.charCodeAt(3 * i)) << 4) | hexDigit(mac.charCodeAt(3 * i + 1));
  return b;
}

/** The value of a hexadecimal digit (the MAC comes from our own parser: lowercase digits). */
function hexDigit(c: number): number {
  return c <= 57 ? c - 48 : (c | 32) - 87;
}
