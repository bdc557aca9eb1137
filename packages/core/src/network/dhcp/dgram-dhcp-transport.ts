import { createSocket, type Socket } from 'node:dgram';
import type { DatagramOrigin, DhcpTransport, TransportReport } from './dhcp-transport.js';
import type { ReplyDestination } from './reply-destination.js';

/**
 * Node's dgram: it can neither choose the outgoing interface nor tell the arrival one, nor add an
 * ARP entry. So every reply the RFC would broadcast, or unicast to a client without an address,
 * goes to `broadcastAddress` (walt-net's directed broadcast, which only leaves through walt-net,
 * where 255.255.255.255 would follow the routing table); unicasts to ciaddr stay unicasts. Clients
 * that read replies through their IP stack before they have an address get none. The fallback
 * when @walt/tftp-native is not built, and the transport of loopback tests.
 */
export class DgramDhcpTransport implements DhcpTransport {
  private socket?: Socket;

  constructor(
    private readonly bind: { port: number; address: string },
    private readonly broadcastAddress: string,
    private readonly report: TransportReport,
    readonly description: string,
    readonly degraded: boolean,
  ) {}

  get port(): number {
    return this.socket?.address().port ?? 0;
  }

  now(): number {
    return performance.timeOrigin + performance.now();
  }

  async start(onMessage: (msg: Buffer, origin: DatagramOrigin) => void): Promise<void> {
    const socket = createSocket({ type: 'udp4' });
    socket.on('message', (msg, rinfo) => onMessage(msg, { address: rinfo.address, port: rinfo.port }));
    socket.on('error', (e) => this.report('socket', `DHCP socket error: ${e.message}`));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ port: this.bind.port, address: this.bind.address }, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    socket.setBroadcast(true);
    try {
      socket.setRecvBufferSize(4 * 1024 * 1024); // a boot storm arrives all at once
    } catch {
      /* the system maximum applies */
    }
    this.socket = socket;
  }

  send(reply: Buffer, to: ReplyDestination, port: number): void {
    const socket = this.socket;
    if (!socket) return;
    const address = to.kind === 'unicast' ? to.ip : this.broadcastAddress;
    socket.send(reply, port, address, (e) => {
      if (e) this.report(`send:${address}`, `cannot send a DHCP reply to ${address}: ${e.message}`);
    });
  }

  async stop(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    if (socket) await new Promise<void>((r) => socket.close(() => r()));
  }
}
