import { buildClientRequest } from './dhcp-client-request.js';
import { DHCP_HEADER_LENGTH, DhcpMessageType, Opt } from '../dhcp/dhcp-packet.js';

/** A small seeded PRNG (mulberry32): the same seed gives the same packets, so failures replay. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A plausible request to damage: random MAC (locally administered), type, and options. */
function validRequest(rand: () => number, type: number, options: Array<[number, Buffer]>): Buffer {
  const chaddr = Buffer.alloc(16);
  chaddr[0] = 0x02;
  for (let i = 1; i < 6; i++) chaddr[i] = Math.floor(rand() * 256);
  return buildClientRequest({ mac: chaddr, xid: Math.floor(rand() * 0xffffffff), type, options, broadcast: true });
}

const bytes = (rand: () => number, n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(rand() * 256)));

/**
 * Malformed DHCP datagrams, cycling through the ways a packet can be wrong: truncated, bad option
 * lengths, random bytes, huge option 55, options overflowing the packet, bad magic cookie, wrong
 * sizes of address options, wrong message types, bad hardware fields, overload (52), garbage in
 * every option the server reads.
 */
export function* malformedDhcpPackets(count: number, seed = 1): Generator<Buffer> {
  const rand = seededRandom(seed);
  const int = (n: number) => Math.floor(rand() * n);
  const kinds = 12;
  for (let i = 0; i < count; i++) {
    const base = validRequest(rand, [1, 3, 4, 7, 8][int(5)], []);
    switch (i % kinds) {
      case 0: // truncated anywhere
        yield base.subarray(0, int(base.length));
        break;
      case 1: {
        // an option whose length runs past the end
        const b = Buffer.from(base);
        b[DHCP_HEADER_LENGTH + 3] = int(256);
        b[DHCP_HEADER_LENGTH + 4] = 200 + int(56);
        yield b.subarray(0, DHCP_HEADER_LENGTH + 5 + int(20));
        break;
      }
      case 2: // random bytes, any length
        yield bytes(rand, int(1500));
        break;
      case 3: // random bytes after a valid header and cookie
        yield Buffer.concat([base.subarray(0, DHCP_HEADER_LENGTH), bytes(rand, int(1200))]);
        break;
      case 4: // huge option 55, repeated (RFC 3396 concatenation), every code asked for
        yield validRequest(rand, 1, [
          [Opt.PARAMETER_REQUEST_LIST, Buffer.from(Array.from({ length: 255 + int(600) }, () => int(256)))],
          [Opt.PARAMETER_REQUEST_LIST, Buffer.from(Array.from({ length: 255 }, (_, k) => k))],
        ]);
        break;
      case 5: {
        // options overflowing: no END, the last option cut
        const b = validRequest(rand, 3, [[Opt.HOST_NAME, bytes(rand, 40)], [Opt.VENDOR_CLASS, bytes(rand, 60)]]);
        yield b.subarray(0, b.indexOf(0xff, DHCP_HEADER_LENGTH) - 1 - int(30));
        break;
      }
      case 6: {
        // bad magic cookie
        const b = Buffer.from(base);
        b.writeUInt32BE(Math.floor(rand() * 0xffffffff), 236);
        yield b;
        break;
      }
      case 7: // address options of the wrong size, bad requested addresses
        yield validRequest(rand, [3, 4][int(2)], [
          [Opt.REQUESTED_IP, bytes(rand, [0, 1, 3, 5, 16][int(5)])],
          [Opt.SERVER_ID, bytes(rand, int(2) ? 4 : int(9))],
        ]);
        break;
      case 8: {
        // wrong message types and sizes of option 53
        const t = int(3);
        const v = t === 0 ? Buffer.alloc(0) : t === 1 ? bytes(rand, 2 + int(5)) : Buffer.from([[0, 2, 5, 6, 9, 200][int(6)]]);
        const b = validRequest(rand, 1, []);
        const at = b.indexOf(Opt.MESSAGE_TYPE, DHCP_HEADER_LENGTH);
        yield Buffer.concat([b.subarray(0, at), Buffer.from([Opt.MESSAGE_TYPE, v.length]), v, Buffer.from([255])]);
        break;
      }
      case 9: {
        // bad header fields: op, htype, hlen > 16, zero or broadcast MAC, relayed
        const b = Buffer.from(base);
        const f = int(5);
        if (f === 0) b[0] = [0, 2, 3, 255][int(4)];
        else if (f === 1) b[1] = int(256);
        else if (f === 2) b[2] = 17 + int(239);
        else if (f === 3) b.fill(int(2) ? 0 : 0xff, 28, 34);
        else b.writeUInt32BE(0x0a000001, 24);
        yield b;
        break;
      }
      case 10: // overload (52) with garbage sname/file, garbage in every option the server reads
        yield validRequest(rand, [1, 3][int(2)], [
          [Opt.OVERLOAD, Buffer.from([int(256)])],
          [Opt.CLIENT_ARCH, bytes(rand, int(7))],
          [Opt.CLIENT_UUID, bytes(rand, int(40))],
          [Opt.USER_CLASS, bytes(rand, int(80))],
          [Opt.VENDOR_CLASS, bytes(rand, int(255))],
          [Opt.CLIENT_ID, bytes(rand, int(30))],
          [Opt.HOST_NAME, bytes(rand, int(255))],
          [Opt.REQUESTED_IP, Buffer.from([10, int(256), int(256), int(256)])],
        ]);
        break;
      default: {
        // a valid prefix then random option codes with random lengths (pads, ENDs, zero lengths)
        const parts: Buffer[] = [validRequest(rand, DhcpMessageType.DISCOVER, []).subarray(0, DHCP_HEADER_LENGTH)];
        for (let k = int(40); k > 0; k--) {
          const code = int(256);
          const len = int(2) ? int(8) : int(256);
          parts.push(Buffer.from([code, len]), bytes(rand, int(3) ? len : int(len + 1)));
        }
        yield Buffer.concat(parts);
      }
    }
  }
}
