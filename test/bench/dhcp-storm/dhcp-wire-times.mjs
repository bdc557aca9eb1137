// A second clock for the DHCP storm: the kernel's capture timestamps (tcpdump on the client's
// interface) rather than the storm client's own. From a pcap file it gives the storm time on the wire
// (first DISCOVER to last ACK) and splits each client's DISCOVER-to-ACK time into what the server took
// (DISCOVER -> OFFER, REQUEST -> ACK) and what the client took (OFFER -> REQUEST): if the client were
// the bottleneck, its share would be large.

const DHCP_TYPES = { 1: 'DISCOVER', 2: 'OFFER', 3: 'REQUEST', 5: 'ACK', 6: 'NAK' };

/** DHCP messages of a classic pcap (Ethernet link type): [{ t (ms), xid, type }], in capture order. */
export function dhcpMessagesOfPcap(buf) {
  if (buf.length < 24) return [];
  const magic = buf.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  if (!le && buf.readUInt32BE(0) !== 0xa1b2c3d4 && buf.readUInt32BE(0) !== 0xa1b23c4d) throw new Error('not a pcap file');
  const nano = (le ? magic : buf.readUInt32BE(0)) === 0xa1b23c4d;
  const u32 = (o) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const out = [];
  for (let o = 24; o + 16 <= buf.length; ) {
    const t = u32(o) * 1e3 + u32(o + 4) / (nano ? 1e6 : 1e3);
    const caplen = u32(o + 8);
    const f = buf.subarray(o + 16, o + 16 + caplen);
    o += 16 + caplen;
    if (f.length < 14 + 20 + 8 + 240 || f.readUInt16BE(12) !== 0x0800 || f[23] !== 17) continue;
    const udp = 14 + (f[14] & 0x0f) * 4;
    const d = udp + 8;
    if (f.length < d + 240 || f.readUInt32BE(d + 236) !== 0x63825363) continue;
    const xid = f.readUInt32BE(d + 4);
    let type = 0;
    for (let i = d + 240; i + 1 < f.length && f[i] !== 255; ) {
      if (f[i] === 0) {
        i++;
        continue;
      }
      if (f[i] === 53 && f[i + 1] === 1) type = f[i + 2];
      i += 2 + f[i + 1];
    }
    if (DHCP_TYPES[type]) out.push({ t, xid, type: DHCP_TYPES[type] });
  }
  return out;
}

/**
 * Wire times of one storm: { stormMs, clients, serverMs: per-client server time, clientMs: per-client
 * client time } from the messages of dhcpMessagesOfPcap (first transmission of each step; a client
 * with a retransmission or NAK is counted from its first DISCOVER to its ACK).
 */
export function wireTimes(messages) {
  const byXid = new Map();
  for (const m of messages) {
    let c = byXid.get(m.xid);
    if (!c) byXid.set(m.xid, (c = {}));
    if (c[m.type] === undefined) c[m.type] = m.t; // the first of each type
    if (m.type === 'ACK') c.ACK = m.t;
  }
  const serverMs = [];
  const clientMs = [];
  let first = Infinity;
  let last = -Infinity;
  for (const c of byXid.values()) {
    if (c.DISCOVER !== undefined) first = Math.min(first, c.DISCOVER);
    if (c.ACK === undefined || c.DISCOVER === undefined || c.OFFER === undefined || c.REQUEST === undefined) continue;
    last = Math.max(last, c.ACK);
    serverMs.push(c.OFFER - c.DISCOVER + (c.ACK - c.REQUEST));
    clientMs.push(c.REQUEST - c.OFFER);
  }
  return { stormMs: serverMs.length ? last - first : NaN, clients: serverMs.length, serverMs, clientMs };
}
