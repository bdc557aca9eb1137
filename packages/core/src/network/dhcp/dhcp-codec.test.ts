import { describe, expect, it } from 'vitest';
import { DhcpMessageType, DhcpParseError, Opt, parseDhcpPacket, type DhcpReplyFields } from '@walt/sdk/dhcp';
import { buildClientRequest, malformedDhcpPackets, seededRandom } from '@walt/sdk/testing';
import type { DhcpBootReply } from '@walt/sdk';
import { buildReply } from './dhcp-reply.js';
import { decodeDhcpRequest } from './dhcp-request.js';
import { Ipv4Subnet } from './ipv4.js';

const chaddr = Buffer.from([0xb8, 0x27, 0xeb, 0xf2, 0x67, 0x82, ...new Array(10).fill(0)]);

/** A request with exactly these options (the message type too, or none: some tests leave it out). */
function request(options: Array<[number, Buffer]>, overrides: Partial<DhcpReplyFields> = {}): Buffer {
  return buildClientRequest({ mac: chaddr, xid: 0x12345678, type: 0 }, { options, ...overrides });
}

describe('DHCP codec', () => {
  it('round-trips a request and decodes the options WalT reads', () => {
    const buf = request([
      [Opt.MESSAGE_TYPE, Buffer.from([DhcpMessageType.REQUEST])],
      [Opt.VENDOR_CLASS, Buffer.from('walt.node.rpi-3-b-plus')],
      [Opt.USER_CLASS, Buffer.from('\x13walt.node.pc-x86-64')],
      [Opt.CLIENT_ARCH, Buffer.from([0, 7])],
      [Opt.CLIENT_UUID, Buffer.from([0, 1, 2, 3])],
      [Opt.HOST_NAME, Buffer.from('rpi\0')],
      [Opt.PARAMETER_REQUEST_LIST, Buffer.from([1, 3, 66, 67])],
      [Opt.REQUESTED_IP, Buffer.from([192, 168, 152, 7])],
      [Opt.SERVER_ID, Buffer.from([192, 168, 152, 1])],
      [Opt.CLIENT_ID, Buffer.from([1, 0xb8])],
    ]);
    expect(buf.length).toBeGreaterThanOrEqual(300);
    const r = decodeDhcpRequest(parseDhcpPacket(buf));
    expect(r.packet.xid).toBe(0x12345678);
    expect(r.view).toEqual({
      kind: 'REQUEST',
      mac: 'b8:27:eb:f2:67:82',
      vendorClass: 'walt.node.rpi-3-b-plus',
      userClass: 'walt.node.pc-x86-64',
      clientArch: 7,
      clientUuid: '00010203',
      hostName: 'rpi',
      parameterRequestList: [1, 3, 66, 67],
    });
    expect(r.requestedIp).toBe('192.168.152.7');
    expect(r.serverId).toBe('192.168.152.1');
    expect(r.clientId).toBe('01b8');
  });

  it('reads a bare-text user class (iPXE, dhclient) as is', () => {
    const r = decodeDhcpRequest(parseDhcpPacket(request([[53, Buffer.from([1])], [77, Buffer.from('walt.node.pc-x86-32')]])));
    expect(r.view.userClass).toBe('walt.node.pc-x86-32');
  });

  it('concatenates split options (RFC 3396) and splits long values when writing', () => {
    const long = Buffer.alloc(600, 0x61);
    const buf = request([[53, Buffer.from([1])], [Opt.VENDOR_CLASS, long]]);
    expect(parseDhcpPacket(buf).options.get(Opt.VENDOR_CLASS)).toEqual(long);
  });

  it('skips pads one byte at a time and tolerates a missing END', () => {
    const buf = request([[53, Buffer.from([1])]]);
    const withPads = Buffer.concat([buf.subarray(0, 240), Buffer.from([0, 0, 53, 1, 3, 0])]);
    expect(parseDhcpPacket(withPads).options.get(53)).toEqual(Buffer.from([3]));
  });

  it('refuses truncated packets, bad cookies, overflowing options, non-requests', () => {
    const buf = request([[53, Buffer.from([1])], [12, Buffer.from('abc')]]);
    expect(() => parseDhcpPacket(buf.subarray(0, 239))).toThrow(DhcpParseError);
    const bad = Buffer.from(buf);
    bad.writeUInt32BE(0xdeadbeef, 236);
    expect(() => parseDhcpPacket(bad)).toThrow(/magic cookie/);
    const overflow = Buffer.concat([buf.subarray(0, 240), Buffer.from([12, 50, 0x61])]);
    expect(() => parseDhcpPacket(overflow)).toThrow(/overflows/);
    expect(() => decodeDhcpRequest(parseDhcpPacket(request([])))).toThrow(/message type/);
    expect(() => decodeDhcpRequest(parseDhcpPacket(request([[53, Buffer.from([2])]])))).toThrow(/not a client request/);
    expect(() => decodeDhcpRequest(parseDhcpPacket(request([[53, Buffer.from([3])], [50, Buffer.from([1, 2, 3])]])))).toThrow(/option 50/);
  });

  it('fuzz: malformed and mutated packets only ever raise DhcpParseError', () => {
    const check = (b: Buffer) => {
      try {
        decodeDhcpRequest(parseDhcpPacket(b));
      } catch (e) {
        if (!(e instanceof DhcpParseError)) throw new Error(`unexpected ${(e as Error).stack} for ${b.toString('hex')}`);
      }
    };
    let n = 0;
    for (const b of malformedDhcpPackets(20_000, 42)) {
      check(b);
      n++;
    }
    // Random byte flips of a valid request.
    const rand = seededRandom(7);
    const valid = request([[53, Buffer.from([3])], [50, Buffer.from([192, 168, 152, 9])], [60, Buffer.from('walt.node.x')], [55, Buffer.from([1, 3])]]);
    for (let i = 0; i < 20_000; i++) {
      const b = Buffer.from(valid.subarray(0, 240 + Math.floor(rand() * (valid.length - 240))));
      for (let k = 1 + Math.floor(rand() * 8); k > 0; k--) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
      check(b);
      n++;
    }
    expect(n).toBe(40_000);
  });
});

describe('DHCP reply boot fields', () => {
  it("carries a boot protocol's iPXE options as option 175 (iPXE's no-pxedhcp: no wait for ProxyDHCP)", () => {
    const req = decodeDhcpRequest(parseDhcpPacket(request([[Opt.MESSAGE_TYPE, Buffer.from([DhcpMessageType.DISCOVER])]])));
    const content = (boot: DhcpBootReply) => ({ type: DhcpMessageType.OFFER as const, yiaddr: '192.168.152.7', serverIp: '192.168.152.1', serverName: 'walt', subnet: new Ipv4Subnet('192.168.152.1/24'), nat: false, boot });
    const reply = parseDhcpPacket(buildReply(req, content({ bootFile: 'pxe/walt-boot.ipxe', ipxeOptions: Uint8Array.of(176, 1, 1) })));
    expect([...reply.options.get(Opt.IPXE_ENCAPSULATED)!]).toEqual([176, 1, 1]);
    expect(reply.options.get(Opt.BOOTFILE_NAME)?.toString()).toBe('pxe/walt-boot.ipxe');
    // Without them, no option 175.
    expect(parseDhcpPacket(buildReply(req, content({ bootFile: 'x' }))).options.has(Opt.IPXE_ENCAPSULATED)).toBe(false);
  });
});
