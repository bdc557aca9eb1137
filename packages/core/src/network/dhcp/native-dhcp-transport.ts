import { createRequire } from 'node:module';
import type { DhcpSocket } from '@walt/tftp-native/dhcp-socket';
import type { DatagramOrigin, DhcpTransport, TransportReport } from './dhcp-transport.js';
import type { ReplyDestination } from './reply-destination.js';
import { interfaceHolding } from './walt-net-interface.js';

/** The addon's DHCP socket (@walt/tftp-native is an optional dependency: loaded at run time, types only here). */
export type DhcpSocketAddon = typeof import('@walt/tftp-native/dhcp-socket');

/** The addon, or why it could not be loaded (not built: no compiler at install, another OS). */
export function loadDhcpSocketAddon(): DhcpSocketAddon | string {
  try {
    return createRequire(import.meta.url)('@walt/tftp-native/dhcp-socket') as DhcpSocketAddon;
  } catch (e) {
    return `@walt/tftp-native is not available (${String((e as Error)?.message ?? e).split('\n')[0]})`;
  }
}

/** How often walt-net's interface is looked up again at most (it may be created or re-created later). */
const LOOKUP_INTERVAL_MS = 1000;

/**
 * An ARP entry this transport set less than this long ago is not set again: the ACK that follows an
 * OFFER by milliseconds needs no second ioctl (a quarter of the send cost in a storm). Far below the
 * kernel's reachable time (15-45 s), so the entry is still there.
 */
export const ARP_REUSE_MS = 1000;

/**
 * The native DHCP socket: every datagram comes with the interface it arrived on, and every reply
 * leaves through walt-net's interface (IP_PKTINFO), so 255.255.255.255 reaches walt-net and only
 * walt-net, with no route for it. A unicast to an address the client does not hold yet is preceded
 * by an ARP entry for it (what RFC 2131 asks when the broadcast flag is clear). walt-net's
 * interface is the one holding the server's walt-net address.
 */
export class NativeDhcpTransport implements DhcpTransport {
  readonly degraded = false;
  private socket?: DhcpSocket;
  private waltNet?: { name: string; index: number };
  private lastLookup = -Infinity;
  /** The ARP entries set lately: address -> MAC and when (at most 4,096: a flood of MACs costs no more). */
  private readonly arpSet = new Map<string, { mac: string; at: number }>();

  constructor(
    private readonly addon: DhcpSocketAddon,
    private readonly bind: { port: number; address: string },
    private readonly serverIp: string,
    private readonly report: TransportReport,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  get description(): string {
    const where = this.waltNet?.name ?? 'walt-net (not configured yet)';
    return `replies to 255.255.255.255 out of ${where} only, or unicast as RFC 2131 says; requests from other interfaces ignored (native socket)`;
  }

  get port(): number {
    return this.socket?.port ?? 0;
  }

  now(): number {
    return this.addon.clockMs();
  }

  async start(onMessage: (msg: Buffer, origin: DatagramOrigin) => void): Promise<void> {
    this.lookUpWaltNet();
    this.socket = this.addon.open(
      this.bind.port,
      this.bind.address,
      (msg, address, port, ifindex, receivedAt) => onMessage(msg, { address, port, arrival: this.arrival(ifindex), receivedAt }),
      (e) => this.report('internal', `DHCP request handler failed: ${(e as Error)?.stack ?? e}`),
    );
  }

  private arrival(ifindex: number): DatagramOrigin['arrival'] {
    if (ifindex !== this.waltNet?.index) this.lookUpWaltNet();
    const waltNet = this.waltNet;
    if (waltNet && ifindex === waltNet.index) return { waltNet: true, interface: waltNet.name };
    return { waltNet: false, interface: this.addon.interfaceName(ifindex) || `interface #${ifindex}` };
  }

  /** Find walt-net's interface (rate-limited: also called for datagrams from other interfaces). */
  private lookUpWaltNet(): void {
    const now = performance.now();
    if (now - this.lastLookup < LOOKUP_INTERVAL_MS) return;
    this.lastLookup = now;
    const name = interfaceHolding(this.serverIp);
    const index = name ? this.addon.interfaceIndex(name) : 0;
    this.waltNet = name && index ? { name, index } : undefined;
  }

  send(reply: Buffer, to: ReplyDestination, port: number): void {
    const socket = this.socket;
    if (!socket) return;
    if (!this.waltNet) this.lookUpWaltNet();
    const waltNet = this.waltNet;
    if (!waltNet) {
      this.report('no-walt-net', `cannot send DHCP replies: no interface holds the walt-net address ${this.serverIp}`);
      return;
    }
    let address = to.kind === 'broadcast' ? '255.255.255.255' : to.ip;
    if (to.kind === 'hardware' && !this.arpRecentlySet(to.ip, to.mac)) {
      const failed = socket.setArp(to.ip, Buffer.from(to.mac.replaceAll(':', ''), 'hex'), waltNet.name);
      if (failed) {
        // Without the ARP entry the unicast would wait for an ARP reply the client cannot give.
        this.arpSet.delete(to.ip);
        this.report('arp', `cannot add the ARP entry ${to.ip} -> ${to.mac} on ${waltNet.name} (${failed}): broadcasting the reply instead`);
        address = '255.255.255.255';
      } else {
        if (this.arpSet.size >= 4096) this.arpSet.clear();
        this.arpSet.set(to.ip, { mac: to.mac, at: this.clock() });
      }
    }
    const failed = socket.send(reply, address, port, waltNet.index);
    if (failed) this.report(`send:${address}`, `cannot send a DHCP reply to ${address} on ${waltNet.name}: ${failed}`);
  }

  private arpRecentlySet(ip: string, mac: string): boolean {
    const set = this.arpSet.get(ip);
    return set !== undefined && set.mac === mac && this.clock() - set.at < ARP_REUSE_MS;
  }

  async stop(): Promise<void> {
    this.socket?.close();
    this.socket = undefined;
  }
}
