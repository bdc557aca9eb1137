import { BOOTP_MIN_LENGTH, BOOTREPLY, DHCP_HEADER_LENGTH, DHCP_MAGIC_COOKIE, Opt, type DhcpPacket } from './dhcp-packet.js';
import { ipToInt } from './ipv4-numbers.js';

/** A packet the codec refuses; the message says which rule it broke. */
export class DhcpParseError extends Error {}

/** Larger datagrams than this are not DHCP (an Ethernet MTU holds 1500 bytes). */
export const MAX_DHCP_PACKET = 4096;

/**
 * Decode a BOOTP/DHCP datagram. Every length is checked against the buffer before it is read, so a
 * malformed packet can only yield a DhcpParseError, never an exception from outside this module or
 * a read out of bounds. Option overload (52) is not honoured: sname and file are read as plain
 * strings, the options they might carry are ignored. Option values are views of `buf` (not copies;
 * an option split over several instances is the one copy): the caller must not change `buf` while it
 * uses them.
 *
 * Written with plain byte reads rather than Buffer's readUInt32BE and friends: on a fresh server a
 * boot storm is the first time this runs, and what V8 optimizes then (on its compiler threads) grows
 * with every helper the hot code calls (docs/decisions/0012, fifth pass).
 */
export function parseDhcpPacket(buf: Buffer): DhcpPacket {
  const length = buf.length;
  if (length < DHCP_HEADER_LENGTH) throw new DhcpParseError(`truncated packet (${length} bytes, at least ${DHCP_HEADER_LENGTH} expected)`);
  if (length > MAX_DHCP_PACKET) throw new DhcpParseError(`oversized packet (${length} bytes)`);
  if (u32(buf, 236) !== DHCP_MAGIC_COOKIE) throw new DhcpParseError('bad magic cookie');
  const hlen = buf[2];
  if (hlen > 16) throw new DhcpParseError(`bad hardware address length ${hlen}`);
  const options = new Map<number, Buffer>();
  let i = DHCP_HEADER_LENGTH;
  while (i < length) {
    const code = buf[i];
    if (code === Opt.PAD) {
      i += 1;
      continue;
    }
    if (code === Opt.END) break;
    if (i + 1 >= length) throw new DhcpParseError(`option ${code} has no length byte`);
    const len = buf[i + 1];
    const start = i + 2;
    if (start + len > length) throw new DhcpParseError(`option ${code} overflows the packet (length ${len})`);
    const value = buf.subarray(start, start + len);
    const previous = options.get(code);
    // RFC 3396: an option split in several instances is their concatenation.
    options.set(code, previous ? Buffer.concat([previous, value]) : value);
    i = start + len;
  }
  return {
    op: buf[0],
    htype: buf[1],
    hlen,
    hops: buf[3],
    xid: u32(buf, 4),
    secs: (buf[8] << 8) | buf[9],
    flags: (buf[10] << 8) | buf[11],
    ciaddr: dottedQuad(buf, 12),
    yiaddr: dottedQuad(buf, 16),
    siaddr: dottedQuad(buf, 20),
    giaddr: dottedQuad(buf, 24),
    chaddr: hardwareAddress(buf, hlen),
    sname: cString(buf, 44, 108),
    file: cString(buf, 108, 236),
    options,
  };
}

/** The big-endian unsigned 32-bit number at `offset` (the caller checked the bounds). */
function u32(buf: Buffer, offset: number): number {
  return ((buf[offset] << 24) | (buf[offset + 1] << 16) | (buf[offset + 2] << 8) | buf[offset + 3]) >>> 0;
}

/** The address at `offset`; most header addresses of a request are 0.0.0.0, which costs no string. */
function dottedQuad(buf: Buffer, offset: number): string {
  const a = buf[offset];
  const b = buf[offset + 1];
  const c = buf[offset + 2];
  const d = buf[offset + 3];
  if ((a | b | c | d) === 0) return '0.0.0.0';
  return `${a}.${b}.${c}.${d}`;
}

const HEX_BYTES = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** chaddr as aa:bb:cc... (one string built per packet: no array of bytes, no padStart per byte). */
function hardwareAddress(buf: Buffer, hlen: number): string {
  if (hlen === 0) return '';
  let text = HEX_BYTES[buf[28]];
  for (let i = 1; i < hlen; i++) text += ':' + HEX_BYTES[buf[28 + i]];
  return text;
}

/** The NUL-terminated text of field [start, end) (latin1); empty fields, the usual case, cost nothing. */
function cString(buf: Buffer, start: number, end: number): string {
  let nul = start;
  while (nul < end && buf[nul] !== 0) nul++;
  return nul === start ? '' : buf.toString('latin1', start, nul);
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

/**
 * Encode a BOOTP/DHCP message (a BOOTREPLY by default). Values longer than 255 bytes are split over
 * several instances (RFC 3396). The hottest function of a boot storm, and on a fresh server a storm
 * is the first time it runs (mostly before V8 optimizes it): the header is written byte by byte,
 * the bytes of options and texts by builtins (TypedArray set, Buffer write), never a JavaScript loop
 * per byte, and the buffer comes from Node's pool, not a new ArrayBuffer per reply.
 */
export function serializeDhcpReply(r: DhcpReplyFields): Buffer {
  const options = r.options;
  let optionsLength = 1;
  for (let k = 0; k < options.length; k++) {
    const n = options[k][1].length;
    optionsLength += (n > 255 ? Math.ceil(n / 255) * 2 : 2) + n;
  }
  const buf = Buffer.allocUnsafe(Math.max(BOOTP_MIN_LENGTH, DHCP_HEADER_LENGTH + optionsLength));
  zero(buf);
  buf[0] = r.op ?? BOOTREPLY;
  buf[1] = r.htype;
  buf[2] = r.hlen;
  putU32(buf, 4, r.xid);
  buf[10] = (r.flags >>> 8) & 255;
  buf[11] = r.flags & 255;
  putAddress(buf, 12, r.ciaddr);
  putAddress(buf, 16, r.yiaddr);
  putAddress(buf, 20, r.siaddr);
  putAddress(buf, 24, r.giaddr);
  const chaddr = r.chaddr;
  buf.set(chaddr.length > 16 ? chaddr.subarray(0, 16) : chaddr, 28);
  writeField(buf, 44, 64, r.sname);
  writeField(buf, 108, 128, r.file);
  putU32(buf, 236, DHCP_MAGIC_COOKIE);
  let i = DHCP_HEADER_LENGTH;
  for (let k = 0; k < options.length; k++) {
    const code = options[k][0];
    const value = options[k][1];
    if (value.length <= 255) {
      buf[i] = code;
      buf[i + 1] = value.length;
      buf.set(value, i + 2);
      i += 2 + value.length;
      continue;
    }
    for (let offset = 0; offset < value.length; offset += 255) {
      const chunk = value.subarray(offset, offset + 255);
      buf[i] = code;
      buf[i + 1] = chunk.length;
      buf.set(chunk, i + 2);
      i += 2 + chunk.length;
    }
  }
  buf[i] = Opt.END;
  return buf;
}

const fillBytes = Uint8Array.prototype.fill;

/** Zero a pooled buffer with the TypedArray builtin (Buffer's own fill checks its arguments in JavaScript first). */
function zero(buf: Buffer): void {
  fillBytes.call(buf, 0);
}

function putU32(buf: Buffer, offset: number, n: number): void {
  buf[offset] = n >>> 24;
  buf[offset + 1] = (n >>> 16) & 255;
  buf[offset + 2] = (n >>> 8) & 255;
  buf[offset + 3] = n & 255;
}

/** An address field; 0.0.0.0 (most of them) is already there. */
function putAddress(buf: Buffer, offset: number, ip: string): void {
  if (ip !== '0.0.0.0') putU32(buf, offset, ipToInt(ip));
}

/** A NUL-terminated text field; text that does not fit (with its NUL) is left out rather than cut. */
function writeField(buf: Buffer, offset: number, size: number, text: string): void {
  // latin1: one byte per character (the low byte), so the length is known before writing.
  if (text.length > 0 && text.length < size) buf.write(text, offset, text.length, 'latin1');
}
