import { createSocket, type Socket } from 'node:dgram';
import { randomInt } from 'node:crypto';
import { parseDhcpPacket } from '../dhcp/dhcp-codec.js';
import { buildClientRequest } from './dhcp-client-request.js';
import { BOOTREPLY, DhcpMessageType, Opt } from '../dhcp/dhcp-packet.js';
import { intToIp, ipToInt } from '../dhcp/ipv4-numbers.js';

/**
 * Many DHCP clients over one UDP socket: each runs DISCOVER -> OFFER -> REQUEST -> ACK with its own
 * chaddr and xid, with retransmissions. Replies are told apart by xid. Used by the integration tests
 * and the boot-storm benchmark (in a network namespace whose interface has an address on walt-net,
 * so it receives the replies broadcast there), and by unit tests on loopback.
 */
export interface SimulatedClient {
  mac: string;
  vendorClass?: string;
  userClass?: string;
  hostName?: string;
}

export interface LeaseOutcome {
  mac: string;
  ip?: string;
  /** Time from the first DISCOVER to the ACK, ms. */
  ms?: number;
  naks: number;
  retransmissions: number;
  /** Options of the ACK (code -> hex), and its BOOTP header fields. */
  ack?: { options: Record<number, string>; siaddr: string; sname: string; file: string };
}

export interface SimulatorOptions {
  /** Where requests go (255.255.255.255 by default: needs a route to it on the interface). */
  serverAddress?: string;
  serverPort?: number;
  /** Port replies arrive on (68). */
  clientPort?: number;
  bindAddress?: string;
  /** Ask for broadcast replies (needed by servers that would otherwise unicast to a fake MAC). */
  broadcastFlag?: boolean;
  retryMs?: number;
}

interface ClientState {
  client: SimulatedClient;
  xid: number;
  phase: 'discover' | 'request' | 'done';
  offered?: { ip: string; server: string };
  started: number;
  lastSent: number;
  outcome: LeaseOutcome;
  resolve: (o: LeaseOutcome) => void;
}

export class DhcpClientSimulator {
  private socket?: Socket;
  private readonly byXid = new Map<number, ClientState>();
  private timer?: NodeJS.Timeout;
  private readonly o: Required<SimulatorOptions>;

  constructor(options: SimulatorOptions = {}) {
    this.o = {
      serverAddress: options.serverAddress ?? '255.255.255.255',
      serverPort: options.serverPort ?? 67,
      clientPort: options.clientPort ?? 68,
      bindAddress: options.bindAddress ?? '0.0.0.0',
      broadcastFlag: options.broadcastFlag ?? true,
      retryMs: options.retryMs ?? 1000,
    };
  }

  async open(): Promise<void> {
    const socket = createSocket({ type: 'udp4', reuseAddr: true });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ port: this.o.clientPort, address: this.o.bindAddress }, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    socket.setBroadcast(true);
    try {
      socket.setRecvBufferSize(4 * 1024 * 1024);
      socket.setSendBufferSize(4 * 1024 * 1024);
    } catch {
      /* system maximum */
    }
    socket.on('message', (msg) => this.onReply(msg));
    socket.on('error', () => undefined);
    this.socket = socket;
    this.timer = setInterval(() => this.retransmit(), Math.max(10, Math.floor(this.o.retryMs / 4)));
  }

  get port(): number {
    return this.socket?.address().port ?? 0;
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.socket?.close();
    this.socket = undefined;
  }

  /** Run every client to its ACK (or until timeoutMs); `onAck` sees each lease as it comes. */
  run(
    clients: readonly SimulatedClient[],
    options: { timeoutMs?: number; onAck?: (o: LeaseOutcome) => void; concurrency?: number } = {},
  ): Promise<LeaseOutcome[]> {
    // At most `concurrency` clients in flight: the next starts when one is leased.
    const limit = options.concurrency ?? Infinity;
    let inFlight = 0;
    const waiting: Array<() => void> = [];
    const slot = () => (inFlight < limit ? (inFlight++, Promise.resolve()) : new Promise<void>((r) => waiting.push(() => (inFlight++, r()))));
    const release = () => {
      inFlight--;
      waiting.shift()?.();
    };
    const all = clients.map(
      (client) =>
        slot().then(() => new Promise<LeaseOutcome>((resolve) => {
          let xid = randomInt(1, 0xffffffff);
          while (this.byXid.has(xid)) xid = randomInt(1, 0xffffffff);
          const state: ClientState = {
            client,
            xid,
            phase: 'discover',
            started: performance.now(),
            lastSent: 0,
            outcome: { mac: client.mac, naks: 0, retransmissions: 0 },
            resolve: (o) => {
              options.onAck?.(o);
              release();
              resolve(o);
            },
          };
          this.byXid.set(xid, state);
          this.sendDiscover(state);
        })),
    );
    const timeout = new Promise<void>((r) => setTimeout(r, options.timeoutMs ?? 30_000).unref());
    return Promise.race([Promise.all(all), timeout]).then(() => {
      const out: LeaseOutcome[] = [];
      for (const [xid, s] of this.byXid) {
        out.push(s.outcome);
        this.byXid.delete(xid);
      }
      return out;
    });
  }

  /** Send any datagram to the server (malformed-packet tests). */
  sendRaw(buf: Buffer): Promise<void> {
    return new Promise((resolve) => this.socket!.send(buf, this.o.serverPort, this.o.serverAddress, () => resolve()));
  }

  private sendDiscover(s: ClientState): void {
    s.phase = 'discover';
    s.offered = undefined;
    this.send(s, DhcpMessageType.DISCOVER, []);
  }

  private send(s: ClientState, type: DhcpMessageType, extra: Array<[number, Buffer]>): void {
    const options: Array<[number, Buffer]> = [...extra];
    const c = s.client;
    if (c.hostName) options.push([Opt.HOST_NAME, Buffer.from(c.hostName)]);
    if (c.vendorClass) options.push([Opt.VENDOR_CLASS, Buffer.from(c.vendorClass)]);
    if (c.userClass) options.push([Opt.USER_CLASS, Buffer.from(c.userClass)]);
    options.push([Opt.PARAMETER_REQUEST_LIST, Buffer.from([1, 3, 6, 12, 15, 28, 42, 66, 67, 119])]);
    const packet = buildClientRequest({ mac: c.mac, xid: s.xid, type, options, broadcast: this.o.broadcastFlag });
    s.lastSent = performance.now();
    this.socket?.send(packet, this.o.serverPort, this.o.serverAddress);
  }

  private onReply(msg: Buffer): void {
    let p;
    try {
      p = parseDhcpPacket(msg);
    } catch {
      return;
    }
    if (p.op !== BOOTREPLY) return;
    const s = this.byXid.get(p.xid);
    if (!s || s.phase === 'done' || p.chaddr !== s.client.mac) return;
    const type = p.options.get(Opt.MESSAGE_TYPE)?.[0];
    const serverId = p.options.get(Opt.SERVER_ID);
    if (type === DhcpMessageType.OFFER && s.phase === 'discover' && serverId?.length === 4) {
      s.offered = { ip: p.yiaddr, server: intToIp(serverId.readUInt32BE(0)) };
      s.phase = 'request';
      this.sendRequest(s);
    } else if (type === DhcpMessageType.ACK && s.phase === 'request') {
      s.phase = 'done';
      s.outcome.ip = p.yiaddr;
      s.outcome.ms = performance.now() - s.started;
      const options: Record<number, string> = {};
      for (const [code, value] of p.options) options[code] = value.toString('hex');
      s.outcome.ack = { options, siaddr: p.siaddr, sname: p.sname, file: p.file };
      s.resolve(s.outcome);
    } else if (type === DhcpMessageType.NAK && s.phase === 'request') {
      s.outcome.naks++;
      this.sendDiscover(s);
    }
  }

  private sendRequest(s: ClientState): void {
    const ip = Buffer.alloc(4);
    ip.writeUInt32BE(ipToInt(s.offered!.ip));
    const server = Buffer.alloc(4);
    server.writeUInt32BE(ipToInt(s.offered!.server));
    this.send(s, DhcpMessageType.REQUEST, [
      [Opt.REQUESTED_IP, ip],
      [Opt.SERVER_ID, server],
    ]);
  }

  private retransmit(): void {
    const now = performance.now();
    for (const s of this.byXid.values()) {
      if (s.phase === 'done' || now - s.lastSent < this.o.retryMs) continue;
      s.outcome.retransmissions++;
      if (s.phase === 'request') this.sendRequest(s);
      else this.sendDiscover(s);
    }
  }
}
