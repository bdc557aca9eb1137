import type { Device } from '../../devices/device.js';
import type { DeviceSighting } from '../../devices/device-registry.js';
import { isNatNetsetup } from '../nat/netsetup.js';
import { macAnsweringAt } from './address-probe.js';
import { BootDecision, type BootProtocolSource } from './boot-decision.js';
import type { DefaultImages } from '../../images/default-images.js';
import { DhcpMessageType, DhcpParseError, parseDhcpPacket } from '@walt/sdk/dhcp';
import { buildNak, buildReply } from './dhcp-reply.js';
import { decodeDhcpRequest, type DhcpRequest } from './dhcp-request.js';
import type { DatagramOrigin, DhcpTransport } from './dhcp-transport.js';
import { intToIp, ipToInt, type Ipv4Subnet } from './ipv4.js';
import type { LeaseBook } from './lease-book.js';
import { LogThrottle } from './log-throttle.js';
import { openDhcpTransport } from './open-dhcp-transport.js';
import { replyDestination, type ReplyDestination } from './reply-destination.js';
import { RetransmissionFilter } from './retransmission-filter.js';

/** The registry operations DHCP needs (DeviceRegistry provides them). */
export interface DeviceDirectory {
  byMac(mac: string): Device | undefined;
  register(sighting: DeviceSighting): { device: Device };
  defaultImageOf(model: string): string;
  /** A real conflict took this device's address away: the registry forgets it too (the next lease fills it in). */
  addressLost?(mac: string, ip: string): void;
}

export interface DhcpServerDeps {
  book: LeaseBook;
  devices: DeviceDirectory;
  protocols: BootProtocolSource;
  /** Presence checks of default images before registering a node (absent: no check). */
  images?: Pick<DefaultImages, 'check' | 'fetch'> & Partial<Pick<DefaultImages, 'known'>>;
  /** Run writes atomically (nestable: inner calls become savepoints). */
  transaction<T>(fn: () => T): T;
  /** A platform log line (topic dhcp). */
  log(line: string, error?: boolean): void;
  /** Which MAC answers at an address (an ARP probe); address-probe.ts by default. */
  probeAddress?(ip: string): Promise<string | undefined>;
}

export interface DhcpServerOptions {
  serverIp: string;
  subnet: Ipv4Subnet;
  /** BOOTP sname of replies. */
  serverName: string;
  port?: number;
  /** Client port replies go to (68). */
  replyPort?: number;
  /** Loopback tests: bind this address and send broadcasts to `broadcastAddress` (Node's dgram). */
  bindAddress?: string;
  broadcastAddress?: string;
}

interface PendingAck {
  request: DhcpRequest;
  ip: string;
  model?: string;
  changed: boolean;
  undo: () => void;
}

/** Counters, for tests and diagnostics. */
export interface DhcpStats {
  received: number;
  malformed: number;
  offers: number;
  acks: number;
  naks: number;
  /** Retransmissions dropped: their answer was being committed or had left after the client sent them. */
  duplicates: number;
  /** ACKs sent again, as they were, to a REQUEST retransmitted after its ACK left (no second commit). */
  resent: number;
}

/**
 * The DHCP server of walt-net. Our own codec (docs/decisions/0002-dhcp-codec.md); every packet is
 * handled inside a guard, so no input can stop it. Acknowledged leases and registrations are made
 * durable before the ACK is sent, in one transaction per batch of requests (group commit).
 */
export class DhcpServer {
  readonly stats: DhcpStats = { received: 0, malformed: 0, offers: 0, acks: 0, naks: 0, duplicates: 0, resent: 0 };
  private transport?: DhcpTransport;
  private pending: PendingAck[] = [];
  private flushScheduled = false;
  private readonly boot: BootDecision;
  private readonly throttle: LogThrottle;
  /** Addresses being probed after a DECLINE. */
  private readonly probing = new Set<string>();
  /** Exchanges in progress: a retransmission costs no second commit. */
  private readonly exchanges = new RetransmissionFilter();

  constructor(
    private readonly deps: DhcpServerDeps,
    private readonly options: DhcpServerOptions,
  ) {
    this.throttle = new LogThrottle((line) => deps.log(line, true));
    this.boot = new BootDecision(deps.protocols, (protocol, what, e) =>
      this.throttle.log(`plugin:${protocol}:${what}`, `boot protocol ${protocol} failed in ${what}(): ${(e as Error)?.message ?? e}`),
    );
  }

  /** Bind (0.0.0.0:67 by default): the native socket of @walt/tftp-native, or dgram (open-dhcp-transport.ts). */
  async start(): Promise<void> {
    const transport = openDhcpTransport({ ...this.options, report: (key, line) => this.throttle.log(key, line) });
    await transport.start((msg, origin) => this.onMessage(msg, origin));
    this.transport = transport;
  }

  /** How replies are sent (for the start-up line), and whether that is the fallback. */
  get replies(): { description: string; degraded: boolean } {
    return { description: this.transport?.description ?? 'not started', degraded: this.transport?.degraded ?? false };
  }

  get port(): number {
    return this.transport?.port ?? 0;
  }

  async stop(): Promise<void> {
    const transport = this.transport;
    this.transport = undefined;
    await transport?.stop();
  }

  /** Every datagram goes through here; nothing thrown inside may escape to the socket. */
  private onMessage(msg: Buffer, rinfo: DatagramOrigin): void {
    this.stats.received++;
    try {
      this.handle(msg, rinfo);
    } catch (e) {
      this.stats.malformed++;
      if (e instanceof DhcpParseError) this.throttle.log('malformed', `ignored a malformed DHCP packet from ${rinfo.address}: ${e.message}`);
      else this.throttle.log('internal', `DHCP request from ${rinfo.address} failed: ${(e as Error)?.stack ?? e}`);
    }
  }

  private handle(msg: Buffer, rinfo: DatagramOrigin): void {
    if (rinfo.arrival && !rinfo.arrival.waltNet) {
      const where = rinfo.arrival.interface;
      this.throttle.log(`interface:${where}`, `ignored a DHCP packet from ${rinfo.address} that arrived on ${where}, not on walt-net`);
      return;
    }
    const request = decodeDhcpRequest(parseDhcpPacket(msg));
    const p = request.packet;
    if (p.giaddr !== '0.0.0.0') {
      this.throttle.log(`relay:${p.giaddr}`, `ignored a relayed DHCP request (relay ${p.giaddr}): WalT serves walt-net directly`);
      return;
    }
    if (!this.fromWaltNet(rinfo.address)) {
      this.throttle.log(`foreign:${rinfo.address}`, `ignored a DHCP request from ${rinfo.address}, which is not on walt-net`);
      return;
    }
    // Replies go to ciaddr when set: one off walt-net would make the server send to any host.
    if (p.ciaddr !== '0.0.0.0' && !this.onWaltNet(p.ciaddr)) {
      this.throttle.log(`ciaddr:${p.ciaddr}`, `ignored a DHCP request of ${request.view.mac} with client address ${p.ciaddr}, which is not on walt-net`);
      return;
    }
    const receivedAt = rinfo.receivedAt ?? this.now();
    switch (request.type) {
      case DhcpMessageType.DISCOVER:
        return this.onDiscover(request, receivedAt);
      case DhcpMessageType.REQUEST:
        return this.onRequest(request, receivedAt);
      case DhcpMessageType.DECLINE:
        return this.onDecline(request);
      case DhcpMessageType.INFORM:
        return this.onInform(request, rinfo);
      case DhcpMessageType.RELEASE:
        return; // WalT addresses are sticky: the reservation stays
    }
  }

  /** Clients without an address send from 0.0.0.0; others must be on walt-net (or local, for diagnostics). */
  private fromWaltNet(address: string): boolean {
    if (address === '0.0.0.0' || address.startsWith('127.')) return true;
    return this.onWaltNet(address);
  }

  private onWaltNet(address: string): boolean {
    try {
      return this.options.subnet.contains(ipToInt(address));
    } catch {
      return false;
    }
  }

  /** The clock of the transport's arrival times. */
  private now(): number {
    return this.transport?.now() ?? performance.timeOrigin + performance.now();
  }

  private onDiscover(request: DhcpRequest, receivedAt: number): void {
    const mac = request.view.mac;
    const xid = request.packet.xid;
    if (this.exchanges.check(mac, xid, 'DISCOVER', receivedAt, this.now()).kind !== 'handle') {
      this.stats.duplicates++;
      return;
    }
    const ip = this.deps.book.offer(mac, request.requestedIp);
    if (!ip) {
      this.throttle.log('pool-empty', `no free address left on walt-net for ${mac}: forget unused devices or enlarge walt-net`);
      return;
    }
    const device = this.deps.devices.byMac(mac);
    this.stats.offers++;
    this.send(request, this.reply(request, DhcpMessageType.OFFER, ip, device));
    this.exchanges.offered(mac, xid, this.now());
    this.prefetchDefaultImage(request, device);
  }

  /**
   * A node of a model whose default image is not here yet: start fetching it at its DISCOVER, not at
   * its registration (REQUEST/ACK), so the handshake overlaps the pull. The registration joins the same
   * pull (pulls are deduplicated per image) and converts the node when it is done.
   */
  private prefetchDefaultImage(request: DhcpRequest, device: Device | undefined): void {
    const images = this.deps.images;
    if (!images || (device && device.type !== 'unknown')) return;
    const model = this.boot.model(request.view);
    if (!model) return;
    const image = this.deps.devices.defaultImageOf(model);
    if (images.known?.(image) === true) return; // here, and known to be: no promise chain per DISCOVER of a storm
    // One chain, one catch: nothing thrown or rejected on the way escapes (a failure is reported by the registration's fetch).
    images
      .check(image)
      .then((local) => (local ? undefined : images.fetch(image)))
      .catch(() => undefined);
  }

  private onRequest(request: DhcpRequest, receivedAt: number): void {
    const { mac } = request.view;
    const { serverId } = request;
    if (serverId !== undefined && serverId !== this.options.serverIp) {
      this.deps.book.cancelOffer(mac); // SELECTING another server's offer
      return;
    }
    const xid = request.packet.xid;
    const verdict = this.exchanges.check(mac, xid, 'REQUEST', receivedAt, this.now());
    if (verdict.kind === 'duplicate') {
      this.stats.duplicates++;
      return;
    }
    if (verdict.kind === 'resend' && this.deps.book.leaseOf(mac) === verdict.ack.ip) {
      this.stats.resent++;
      this.sendTo(verdict.ack.reply, verdict.ack.to);
      this.exchanges.acked(mac, xid, this.now(), verdict.ack);
      return;
    }
    const ciaddr = request.packet.ciaddr;
    const ip = request.requestedIp ?? (ciaddr !== '0.0.0.0' ? ciaddr : undefined);
    if (!ip) throw new DhcpParseError('REQUEST without a requested address nor ciaddr');
    let n: number;
    try {
      n = ipToInt(ip);
    } catch {
      throw new DhcpParseError(`bad requested address ${ip}`);
    }
    if (!this.options.subnet.isHost(n) || !this.deps.book.canBind(mac, ip)) {
      this.stats.naks++;
      this.sendTo(buildNak(request, this.options.serverIp, `address ${ip} is not yours`), replyDestination(request.packet, DhcpMessageType.NAK));
      return;
    }
    const { changed, undo } = this.deps.book.bind(mac, ip);
    const model = this.boot.model(request.view);
    const item: PendingAck = { request, ip, model, changed, undo };
    this.exchanges.committing(mac, xid, this.now());
    const device = this.deps.devices.byMac(mac);
    const images = this.deps.images;
    if (model && images && (!device || device.type === 'unknown')) {
      const image = this.deps.devices.defaultImageOf(model);
      // Refresh the image presence cache the registry consults, unless its answer is fresh (a storm).
      if (images.known?.(image) !== undefined) this.enqueue(item);
      else
        images.check(image).then(
          () => this.enqueue(item),
          () => this.enqueue(item),
        );
    } else this.enqueue(item);
  }

  /**
   * DHCPDECLINE says another host answers at the address. Anyone on walt-net can send one with any
   * MAC, so it is believed only when the server sees the conflict itself: an ARP probe of the
   * address answered by another MAC than the holder's. Then the address is set aside, and the lease
   * and the registry both let go of it (the client's next request gets a new one); otherwise
   * nothing changes. One probe per address at a time.
   */
  private onDecline(request: DhcpRequest): void {
    if (request.serverId !== undefined && request.serverId !== this.options.serverIp) return;
    const ip = request.requestedIp;
    if (!ip) throw new DhcpParseError('DECLINE without a requested address');
    const mac = request.view.mac;
    if (this.deps.book.leaseOf(mac) !== ip) return; // only the holder may decline its address
    if (this.probing.has(ip)) return;
    this.probing.add(ip);
    const probe = this.deps.probeAddress ?? macAnsweringAt;
    probe(ip)
      .then((answering) => {
        if (this.deps.book.leaseOf(mac) !== ip) return;
        if (!answering || answering === mac) {
          this.throttle.log(`decline:${ip}`, `ignored a DECLINE of ${ip} for ${mac}: ${answering ? 'that device itself answers at it' : 'nothing else answers at it'} (no conflict)`);
          return;
        }
        const declined = this.deps.transaction(() => {
          if (!this.deps.book.decline(mac, ip)) return false;
          this.deps.devices.addressLost?.(mac, ip);
          return true;
        });
        if (declined) this.deps.log(`${mac} declined ${ip} and ${answering} answers at it: the address will not be handed out again, ${mac} gets a new one`, true);
      })
      .catch((e: unknown) => this.throttle.log('decline', `DECLINE of ${ip} for ${mac} not handled: ${(e as Error)?.message ?? e}`))
      .finally(() => this.probing.delete(ip));
  }

  private onInform(request: DhcpRequest, rinfo: DatagramOrigin): void {
    const device = this.deps.devices.byMac(request.view.mac);
    // RFC 2131 4.3.5: to ciaddr; a client that left it empty but sent from an address gets it there.
    const to: ReplyDestination =
      request.packet.ciaddr === '0.0.0.0' && rinfo.address !== '0.0.0.0' ? { kind: 'unicast', ip: rinfo.address } : replyDestination(request.packet, DhcpMessageType.ACK);
    this.sendTo(this.reply(request, DhcpMessageType.ACK, undefined, device), to);
  }

  private reply(request: DhcpRequest, type: DhcpMessageType.OFFER | DhcpMessageType.ACK, ip: string | undefined, device: Device | undefined): Buffer {
    const bootDevice = device ? { name: device.name, type: device.type, ...(device.model ? { model: device.model } : {}) } : undefined;
    const boot = this.boot.reply(request.view, this.boot.context(this.options.serverIp, bootDevice));
    return buildReply(request, {
      type,
      yiaddr: ip,
      serverIp: this.options.serverIp,
      serverName: this.options.serverName,
      subnet: this.options.subnet,
      hostName: device?.name,
      nat: isNatNetsetup(device?.conf),
      boot,
    });
  }

  private enqueue(item: PendingAck): void {
    this.pending.push(item);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  /** Persist a batch of leases and registrations in one transaction, then send their ACKs. */
  private flush(): void {
    this.flushScheduled = false;
    const batch = this.pending;
    this.pending = [];
    const done: Array<{ item: PendingAck; device: Device }> = [];
    try {
      this.deps.transaction(() => {
        for (const item of batch) {
          try {
            // A savepoint per client: one failing registration does not cost the others their lease.
            const device = this.deps.transaction(() => {
              if (item.changed) this.deps.book.persist(item.request.view.mac, item.ip);
              return this.deps.devices.register({
                mac: item.request.view.mac,
                ip: item.ip,
                ...(item.model ? { model: item.model } : {}),
                ...(item.request.view.hostName ? { hostName: item.request.view.hostName } : {}),
              }).device;
            });
            done.push({ item, device });
          } catch (e) {
            item.undo();
            this.exchanges.abandoned(item.request.view.mac, item.request.packet.xid);
            this.throttle.log('register', `could not record the lease of ${item.request.view.mac} (${item.ip}): ${(e as Error)?.message ?? e}`);
          }
        }
      });
    } catch (e) {
      for (const { item } of done) item.undo();
      for (const item of batch) this.exchanges.abandoned(item.request.view.mac, item.request.packet.xid);
      this.throttle.log('commit', `could not store DHCP leases, ${batch.length} request(s) left unanswered: ${(e as Error)?.message ?? e}`);
      return;
    }
    for (const { item, device } of done) {
      this.stats.acks++;
      const { mac } = item.request.view;
      try {
        const reply = this.reply(item.request, DhcpMessageType.ACK, item.ip, device);
        const to = this.destination(item.request, reply);
        this.sendTo(reply, to);
        this.exchanges.acked(mac, item.request.packet.xid, this.now(), { reply, to, ip: item.ip });
      } catch (e) {
        this.exchanges.abandoned(mac, item.request.packet.xid);
        this.throttle.log('internal', `DHCP ACK to ${mac} failed: ${(e as Error)?.stack ?? e}`);
      }
    }
  }

  /**
   * An OFFER or ACK goes where RFC 2131 section 4.1 says (reply-destination.ts); both are addressed
   * alike, from the request's ciaddr and broadcast flag and the reply's yiaddr (bytes 16-19).
   */
  private send(request: DhcpRequest, reply: Buffer): void {
    this.sendTo(reply, this.destination(request, reply));
  }

  private destination(request: DhcpRequest, reply: Buffer): ReplyDestination {
    const yiaddr = intToIp(reply.readUInt32BE(16));
    return replyDestination(request.packet, DhcpMessageType.ACK, yiaddr === '0.0.0.0' ? undefined : yiaddr);
  }

  private sendTo(reply: Buffer, to: ReplyDestination): void {
    this.transport?.send(reply, to, this.options.replyPort ?? 68);
  }
}
