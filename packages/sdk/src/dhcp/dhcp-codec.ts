import { BOOTP_MIN_LENGTH, BOOTREPLY, DHCP_HEADER_LENGTH, DHCP_MAGIC_COOKIE, Opt, type DhcpPacket } from './dhcp-packet.js';
import { intToIp, ipToInt } from './ipv4-numbers.js';

/** A packet the codec refuses; the message says which rule it broke. */
export class DhcpParseError extends Error {}

/** Larger datagrams than this are not DHCP (an Ethernet MTU holds 1500 bytes). */
export const MAX_DHCP_PACKET = 4096;

/**
 * Decode a BOOTP/DHCP datagram. Every length is checked against the buffer before it is read, so a
 * malformed packet can only yield a DhcpParseError, never an exception from outside this module or
 * a read out of bounds. Option overload (52) is not honoured: sname and file are read as plain
 * strings, the options they might carry are ignored.
 */
export function parseDhcpPacket(buf: Buffer): DhcpPacket {
  if (buf.length < DHCP_HEADER_LENGTH) throw new DhcpParseError(`truncated packet (${buf.length} bytes, at least ${DHCP_HEADER_LENGTH} expected)`);
  if (buf.length > MAX_DHCP_PACKET) throw new DhcpParseError(`oversized packet (${buf.length} bytes)`);
  if (buf.readUInt32BE(236) !== DHCP_MAGIC_COOKIE) throw new DhcpParseError('bad magic cookie');
  const hlen = buf[2];
  if (hlen > 16) throw new DhcpParseError(`bad hardware address length ${hlen}`);
  const options = new Map<number, Buffer>();
  let i = DHCP_HEADER_LENGTH;
  while (i < buf.length) {
    const code = buf[i];
    if (code === Opt.PAD) {
      i += 1;
      continue;
    }
    if (code === Opt.END) break;
    if (i + 1 >= buf.length) throw new DhcpParseError(`option ${code} has no length byte`);
    const len = buf[i + 1];
    const start = i + 2;
    if (start + len > buf.length) throw new DhcpParseError(`option ${code} overflows the packet (length ${len})`);
    const value = buf.subarray(start, start + len);
    const previous = options.get(code);
    // RFC 3396: an option split in several instances is their concatenation.
    options.set(code, previous ? Buffer.concat([previous, value]) : Buffer.from(value));
    i = start + len;
  }
  return {
    op: buf[0],
    htype: buf[1],
    hlen,
    hops: buf[3],
    xid: buf.readUInt32BE(4),
    secs: buf.readUInt16BE(8),
    flags: buf.readUInt16BE(10),
    ciaddr: intToIp(buf.readUInt32BE(12)),
    yiaddr: intToIp(buf.readUInt32BE(16)),
    siaddr: intToIp(buf.readUInt32BE(20)),
    giaddr: intToIp(buf.readUInt32BE(24)),
    chaddr: hardwareAddress(buf, hlen),
    sname: cString(buf.subarray(44, 108)),
    file: cString(buf.subarray(108, 236)),
    options,
  };
}

const HEX_BYTES = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** chaddr as aa:bb:cc... (one string built per packet: no array of bytes, no padStart per byte). */
function hardwareAddress(buf: Buffer, hlen: number): string {
  if (hlen === 0) return '';
  let text = HEX_BYTES[buf[28]];
  for (let i = 1; i < hlen; i++) text += ':' + HEX_BYTES[buf[28 + i]];
  return text;
}

function cString(field: Buffer): string {
  const nul = field.indexOf(0);
  return field.subarray(0, nul < 0 ? field.length : nul).toString('latin1');
}

/** What a reply carries; options are written in insertion order. */
export interface DhcpReplyFields {
  /** BOOTREPLY unless given (the client simulator writes requests with the same encoder). */
  op?: number;
  xid: number;
  flags: number;
  ciaddr: string;
  yiaddr: string;
  siaddr: string;
  giaddr: string;
  /** Raw chaddr bytes from the request (16 bytes, padded). */
  chaddr: Buffer;
  hlen: number;
  htype: number;
  sname: string;
  file: string;
  options: ReadonlyArray<readonly [number, Buffer]>;
}

/** Encode a BOOTP/DHCP message (a BOOTREPLY by default). Values longer than 255 bytes are split over several instances (RFC 3396). */
export function serializeDhcpReply(r: DhcpReplyFields): Buffer {
  let optionsLength = 1;
  for (const [, v] of r.options) optionsLength += Math.max(1, Math.ceil(v.length / 255)) * 2 + v.length;
  const buf = Buffer.alloc(Math.max(BOOTP_MIN_LENGTH, DHCP_HEADER_LENGTH + optionsLength));
  buf[0] = r.op ?? BOOTREPLY;
  buf[1] = r.htype;
  buf[2] = r.hlen;
  buf[3] = 0;
  buf.writeUInt32BE(r.xid >>> 0, 4);
  buf.writeUInt16BE(0, 8);
  buf.writeUInt16BE(r.flags & 0xffff, 10);
  buf.writeUInt32BE(ipToInt(r.ciaddr), 12);
  buf.writeUInt32BE(ipToInt(r.yiaddr), 16);
  buf.writeUInt32BE(ipToInt(r.siaddr), 20);
  buf.writeUInt32BE(ipToInt(r.giaddr), 24);
  r.chaddr.copy(buf, 28, 0, Math.min(16, r.chaddr.length));
  writeField(buf, 44, 64, r.sname);
  writeField(buf, 108, 128, r.file);
  buf.writeUInt32BE(DHCP_MAGIC_COOKIE, 236);
  let i = DHCP_HEADER_LENGTH;
  for (const [code, value] of r.options) {
    let offset = 0;
    do {
      const chunk = value.subarray(offset, offset + 255);
      buf[i] = code;
      buf[i + 1] = chunk.length;
      chunk.copy(buf, i + 2);
      i += 2 + chunk.length;
      offset += 255;
    } while (offset < value.length);
  }
  buf[i] = Opt.END;
  return buf;
}

/** A NUL-terminated text field; text that does not fit (with its NUL) is left out rather than cut. */
function writeField(buf: Buffer, offset: number, size: number, text: string): void {
  // latin1: one byte per character, so the length is known before writing (no intermediate Buffer).
  if (text.length < size) buf.write(text, offset, text.length, 'latin1');
}
