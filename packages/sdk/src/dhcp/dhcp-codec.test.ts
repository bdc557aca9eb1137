import { describe, expect, it } from 'vitest';
import { seededRandom } from '../testing/malformed-dhcp-packets.js';
import { parseDhcpPacket, serializeDhcpReply, type DhcpReplyFields } from './dhcp-codec.js';
import { BOOTP_MIN_LENGTH, BOOTREPLY, DHCP_HEADER_LENGTH, DHCP_MAGIC_COOKIE } from './dhcp-packet.js';
import { intToIp, ipToInt } from './ipv4-numbers.js';

// The codec writes and reads bytes by hand (fewer helpers for V8 to optimize in a storm); these
// references say the same thing with Buffer's own methods, and the two must agree byte for byte.

function referenceSerialize(r: DhcpReplyFields): Buffer {
  let optionsLength = 1;
  for (const [, v] of r.options) optionsLength += Math.max(1, Math.ceil(v.length / 255)) * 2 + v.length;
  const buf = Buffer.alloc(Math.max(BOOTP_MIN_LENGTH, DHCP_HEADER_LENGTH + optionsLength));
  buf[0] = r.op ?? BOOTREPLY;
  buf[1] = r.htype;
  buf[2] = r.hlen;
  buf.writeUInt32BE(r.xid >>> 0, 4);
  buf.writeUInt16BE(r.flags & 0xffff, 10);
  buf.writeUInt32BE(ipToInt(r.ciaddr), 12);
  buf.writeUInt32BE(ipToInt(r.yiaddr), 16);
  buf.writeUInt32BE(ipToInt(r.siaddr), 20);
  buf.writeUInt32BE(ipToInt(r.giaddr), 24);
  r.chaddr.copy(buf, 28, 0, Math.min(16, r.chaddr.length));
  if (r.sname.length < 64) buf.write(r.sname, 44, r.sname.length, 'latin1');
  if (r.file.length < 128) buf.write(r.file, 108, r.file.length, 'latin1');
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
  buf[i] = 255;
  return buf;
}

function randomFields(rand: () => number): DhcpReplyFields {
  const int = (n: number) => Math.floor(rand() * n);
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));
  const address = () => (rand() < 0.4 ? '0.0.0.0' : intToIp(int(2 ** 32)));
  // latin1 text, sometimes with characters above 255 (their low byte is written) or too long to fit
  const text = (max: number) => String.fromCharCode(...Array.from({ length: int(max) }, () => (rand() < 0.1 ? 256 + int(2000) : 1 + int(255))));
  const options: Array<[number, Buffer]> = [];
  // codes 1-254: not PAD (0) nor END (255); now and then a value split over several instances
  for (let k = int(12); k > 0; k--) options.push([1 + int(254), bytes(rand() < 0.1 ? 256 + int(600) : int(40))]);
  return {
    ...(rand() < 0.5 ? { op: 1 + int(2) } : {}),
    xid: int(2 ** 32),
    flags: int(2 ** 16),
    ciaddr: address(),
    yiaddr: address(),
    siaddr: address(),
    giaddr: address(),
    chaddr: bytes(int(20)),
    hlen: int(17),
    htype: int(256),
    sname: text(80),
    file: text(150),
    options,
  };
}

describe('DHCP codec, byte by byte', () => {
  it('serializes exactly as an encoder built on Buffer methods, for 2,000 random messages', () => {
    const rand = seededRandom(16);
    for (let n = 0; n < 2000; n++) {
      const fields = randomFields(rand);
      expect(serializeDhcpReply(fields).equals(referenceSerialize(fields))).toBe(true);
    }
  });

  it('parses what it serialized: header fields, texts, and each option (a split one joined again)', () => {
    const rand = seededRandom(61);
    for (let n = 0; n < 500; n++) {
      const fields = randomFields(rand);
      const hlen = fields.hlen;
      const packet = parseDhcpPacket(serializeDhcpReply(fields));
      const chaddr = Buffer.alloc(16);
      fields.chaddr.copy(chaddr, 0, 0, 16);
      expect(packet).toMatchObject({
        op: fields.op ?? BOOTREPLY,
        htype: fields.htype,
        hlen,
        xid: fields.xid,
        flags: fields.flags,
        ciaddr: fields.ciaddr,
        yiaddr: fields.yiaddr,
        siaddr: fields.siaddr,
        giaddr: fields.giaddr,
        chaddr: [...chaddr.subarray(0, hlen)].map((b) => b.toString(16).padStart(2, '0')).join(':'),
      });
      const field = (s: string, size: number) => (s.length < size ? Buffer.from(s, 'latin1').toString('latin1').split('\0')[0] : '');
      expect(packet.sname).toBe(field(fields.sname, 64));
      expect(packet.file).toBe(field(fields.file, 128));
      const expected = new Map<number, Buffer>();
      for (const [code, value] of fields.options) expected.set(code, Buffer.concat([expected.get(code) ?? Buffer.alloc(0), value]));
      expect([...packet.options.keys()].sort()).toEqual([...expected.keys()].sort());
      for (const [code, value] of expected) expect(packet.options.get(code)?.equals(value)).toBe(true);
    }
  });
});
