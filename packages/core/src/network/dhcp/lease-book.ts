import type { LeasesRepository } from '../../store/leases-repository.js';
import { intToIp, ipToInt, type Ipv4Subnet } from './ipv4.js';

/** Who else holds addresses on walt-net: the device registry (devices seen by LLDP, declared by hand...). */
export interface AddressOwners {
  /** MAC of the registered device at this IP, if any. */
  macAt(ip: string): string | undefined;
  /** IP of the registered device with this MAC, if any. */
  ipOf(mac: string): string | null | undefined;
  /** May this MAC's lease be taken back when the pool is full? (unknown devices: yes; nodes, switches: never) */
  reclaimable?(mac: string): boolean;
  /** A lease was taken back (the registry lets the address go too, and the platform log says so). */
  reclaimed?(mac: string, ip: string, lastSeenMs: number): void;
}

/** How long an offered address stays reserved for the client it was offered to. */
export const OFFER_TTL_MS = 60_000;

/**
 * The address plan of walt-net: permanent leases (a device keeps its IP forever), pending offers,
 * declined addresses. The pool is the subnet's host addresses minus the server, minus every address
 * leased, registered to another device, offered to another client or declined. Decisions are taken
 * in memory (synchronously, so concurrent requests never get the same address); `persist` writes a
 * binding, inside the caller's transaction.
 */
export class LeaseBook {
  private readonly ipByMac = new Map<string, number>();
  private readonly macByIp = new Map<number, string>();
  private readonly declinedIps = new Set<number>();
  private readonly offers = new Map<string, { ip: number; expires: number }>();
  private readonly offeredTo = new Map<number, string>();
  /** When each leased MAC was last heard from (its lease time, until it asks again). */
  private readonly lastSeen = new Map<string, number>();
  private cursor: number;

  constructor(
    private readonly repo: LeasesRepository,
    private readonly subnet: Ipv4Subnet,
    private readonly owners: AddressOwners,
    private readonly now: () => number = Date.now,
  ) {
    for (const lease of repo.all()) {
      if (!subnet.isHost(ipToInt(lease.ip))) continue; // walt-net was renumbered: the device gets a new address
      this.ipByMac.set(lease.mac, ipToInt(lease.ip));
      this.macByIp.set(ipToInt(lease.ip), lease.mac);
      this.lastSeen.set(lease.mac, lease.boundAt * 1000);
    }
    for (const d of repo.declined()) this.declinedIps.add(ipToInt(d.ip));
    this.cursor = subnet.firstHost;
  }

  /** The lease of this MAC, if bound. */
  leaseOf(mac: string): string | undefined {
    const ip = this.ipByMac.get(mac);
    return ip === undefined ? undefined : intToIp(ip);
  }

  get size(): number {
    return this.ipByMac.size;
  }

  /**
   * The address this MAC owns: its lease, else the walt-net address the registry gives its device
   * (as the original's host entries), when nobody else uses it.
   */
  assigned(mac: string): number | undefined {
    const leased = this.ipByMac.get(mac);
    if (leased !== undefined) return leased;
    const registered = this.owners.ipOf(mac);
    if (!registered) return undefined;
    let ip: number;
    try {
      ip = ipToInt(registered);
    } catch {
      return undefined;
    }
    if (!this.usable(ip) || this.macByIp.has(ip)) return undefined;
    const offered = this.offeredMac(ip);
    return offered === undefined || offered === mac ? ip : undefined;
  }

  /**
   * The address to offer to a DISCOVER: the assigned one, else the pending offer, else the requested
   * address if free, else the next free one. Reserved for OFFER_TTL_MS. Undefined when the pool is empty.
   */
  offer(mac: string, requested?: string): string | undefined {
    this.seen(mac);
    let ip = this.assigned(mac);
    if (ip === undefined) {
      const pending = this.offers.get(mac);
      if (pending && pending.expires > this.now() && this.isFreeFor(pending.ip, mac)) ip = pending.ip;
    }
    if (ip === undefined && requested) {
      const r = safeIp(requested);
      if (r !== undefined && this.isFreeFor(r, mac)) ip = r;
    }
    ip ??= this.nextFree(mac) ?? this.reclaimOldestOffer(mac) ?? this.reclaimOldestLease(mac);
    if (ip === undefined) return undefined;
    this.reserve(mac, ip);
    return intToIp(ip);
  }

  /** The client chose another server (or gave up): forget its offer. */
  cancelOffer(mac: string): void {
    const pending = this.offers.get(mac);
    if (!pending) return;
    this.offers.delete(mac);
    if (this.offeredTo.get(pending.ip) === mac) this.offeredTo.delete(pending.ip);
  }

  /** May this MAC be bound to this address? Its own address, or a free one when it owns none. */
  canBind(mac: string, ip: string): boolean {
    const n = safeIp(ip);
    if (n === undefined) return false;
    const own = this.assigned(mac);
    if (own !== undefined) return own === n;
    return this.isFreeFor(n, mac);
  }

  /**
   * Bind in memory (call canBind first). Returns whether the binding is new and must be persisted,
   * and how to undo it if persisting fails.
   */
  bind(mac: string, ip: string): { changed: boolean; undo: () => void } {
    const n = ipToInt(ip);
    this.seen(mac);
    const previous = this.ipByMac.get(mac);
    this.cancelOffer(mac);
    if (previous === n) return { changed: false, undo: () => undefined };
    if (previous !== undefined) this.macByIp.delete(previous);
    this.ipByMac.set(mac, n);
    this.macByIp.set(n, mac);
    return {
      changed: true,
      undo: () => {
        if (this.ipByMac.get(mac) !== n) return;
        this.ipByMac.delete(mac);
        this.macByIp.delete(n);
        if (previous !== undefined) {
          this.ipByMac.set(mac, previous);
          this.macByIp.set(previous, mac);
        }
      },
    };
  }

  /** Write a binding (inside the caller's transaction). */
  persist(mac: string, ip: string): void {
    this.repo.save({ mac, ip, boundAt: this.now() / 1000 });
  }

  /** DHCPDECLINE of a conflict the server saw: the address is in use by something else; never hand it out again. */
  decline(mac: string, ip: string): boolean {
    const n = safeIp(ip);
    if (n === undefined || !this.subnet.isHost(n) || this.declinedIps.has(n)) return false;
    this.repo.decline({ ip, mac, declinedAt: this.now() / 1000 });
    this.declinedIps.add(n);
    const holder = this.macByIp.get(n);
    if (holder !== undefined) {
      this.macByIp.delete(n);
      this.ipByMac.delete(holder);
      this.repo.delete(holder); // or the lease would come back at the next start
    }
    if (this.offeredTo.get(n) !== undefined) this.cancelOffer(this.offeredTo.get(n)!);
    return true;
  }

  /**
   * A device was forgotten (`walt device forget`): its lease goes back to the pool, as the original's
   * host entry disappears. Runs inside the registry's deletion transaction.
   */
  forget(mac: string): void {
    this.lastSeen.delete(mac);
    const ip = this.ipByMac.get(mac);
    if (ip !== undefined) {
      this.ipByMac.delete(mac);
      this.macByIp.delete(ip);
    }
    this.cancelOffer(mac);
    this.repo.delete(mac);
  }

  isDeclined(ip: string): boolean {
    const n = safeIp(ip);
    return n !== undefined && this.declinedIps.has(n);
  }

  private reserve(mac: string, ip: number): void {
    this.cancelOffer(mac);
    this.offers.set(mac, { ip, expires: this.now() + OFFER_TTL_MS });
    this.offeredTo.set(ip, mac);
  }

  /** A host address of walt-net that is neither the server's nor declined. */
  private usable(ip: number): boolean {
    return this.subnet.isHost(ip) && ip !== this.subnet.address && !this.declinedIps.has(ip);
  }

  private offeredMac(ip: number): string | undefined {
    const mac = this.offeredTo.get(ip);
    if (mac === undefined) return undefined;
    const offer = this.offers.get(mac);
    if (!offer || offer.ip !== ip || offer.expires <= this.now()) {
      this.offeredTo.delete(ip);
      if (offer && offer.ip === ip) this.offers.delete(mac);
      return undefined;
    }
    return mac;
  }

  private isFreeFor(ip: number, mac: string): boolean {
    if (!this.usable(ip)) return false;
    const holder = this.macByIp.get(ip);
    if (holder !== undefined) return holder === mac;
    const offered = this.offeredMac(ip);
    if (offered !== undefined && offered !== mac) return false;
    const device = this.owners.macAt(intToIp(ip));
    return device === undefined || device === mac;
  }

  /** A leased client asked again (it is alive): its lease is among the last to be reclaimed. */
  private seen(mac: string): void {
    if (this.ipByMac.has(mac)) this.lastSeen.set(mac, this.now());
  }

  /**
   * The pool is full even of offers: take back the lease of the unknown device heard from least
   * recently (made-up MACs of a flood, a visitor's laptop gone for good). Registered nodes and
   * switches are never touched. The registry lets the address go in `reclaimed`.
   */
  private reclaimOldestLease(mac: string): number | undefined {
    if (!this.owners.reclaimable) return undefined;
    let oldest: { mac: string; ip: number; seen: number } | undefined;
    for (const [other, ip] of this.ipByMac) {
      if (other === mac || !this.owners.reclaimable(other)) continue;
      const seen = this.lastSeen.get(other) ?? 0;
      if (!oldest || seen < oldest.seen) oldest = { mac: other, ip, seen };
    }
    if (!oldest) return undefined;
    this.ipByMac.delete(oldest.mac);
    this.macByIp.delete(oldest.ip);
    this.lastSeen.delete(oldest.mac);
    this.repo.delete(oldest.mac);
    this.owners.reclaimed?.(oldest.mac, intToIp(oldest.ip), oldest.seen);
    return this.isFreeFor(oldest.ip, mac) ? oldest.ip : undefined;
  }

  /**
   * The pool is full but some addresses are only offered: take the oldest offer back (offers are
   * tentative), so a flood of DISCOVERs with made-up MACs cannot lock real clients out.
   */
  private reclaimOldestOffer(mac: string): number | undefined {
    for (const [other, offer] of this.offers) {
      if (other === mac) continue;
      this.cancelOffer(other);
      if (this.isFreeFor(offer.ip, mac)) return offer.ip;
    }
    return undefined;
  }

  /** Scan the pool from where the last scan stopped (so a storm allocates in O(1) per client). */
  private nextFree(mac: string): number | undefined {
    const first = this.subnet.firstHost;
    const count = this.subnet.lastHost - first + 1;
    if (count <= 0) return undefined;
    for (let k = 0; k < count; k++) {
      const ip = first + ((this.cursor - first + k) % count);
      if (this.isFreeFor(ip, mac)) {
        this.cursor = ip + 1 > this.subnet.lastHost ? first : ip + 1;
        return ip;
      }
    }
    return undefined;
  }
}

function safeIp(ip: string): number | undefined {
  try {
    return ipToInt(ip);
  } catch {
    return undefined;
  }
}
