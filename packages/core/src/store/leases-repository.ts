import type { Db } from './database.js';

/** A DHCP lease: permanent, as in the original's host entries (a device keeps its IP forever). */
export interface Lease {
  mac: string;
  ip: string;
  /** Seconds since the epoch when the lease was first acknowledged. */
  boundAt: number;
}

/** An address a client declined (DHCPDECLINE: something else answers at it); never offered again. */
export interface DeclinedAddress {
  ip: string;
  mac: string;
  declinedAt: number;
}

interface LeaseRow {
  mac: string;
  ip: string;
  bound_at: number;
}

/** Persistence of DHCP leases and declined addresses (tables dhcp_leases, dhcp_declined). */
export class LeasesRepository {
  private readonly allStmt;
  private readonly upsertStmt;
  private readonly deleteStmt;
  private readonly declinedStmt;
  private readonly declineStmt;
  private readonly deleteByIpStmt;

  constructor(private readonly db: Db) {
    this.inTransaction = db.transaction((fn: () => unknown) => fn());
    this.allStmt = db.prepare('SELECT mac, ip, bound_at FROM dhcp_leases');
    this.upsertStmt = db.prepare(
      `INSERT INTO dhcp_leases (mac, ip, bound_at) VALUES (@mac, @ip, @boundAt)
       ON CONFLICT(mac) DO UPDATE SET ip = excluded.ip, bound_at = excluded.bound_at`,
    );
    this.deleteStmt = db.prepare('DELETE FROM dhcp_leases WHERE mac = ?');
    this.deleteByIpStmt = db.prepare('DELETE FROM dhcp_leases WHERE ip = ?');
    this.declinedStmt = db.prepare('SELECT ip, mac, declined_at FROM dhcp_declined');
    this.declineStmt = db.prepare(
      `INSERT INTO dhcp_declined (ip, mac, declined_at) VALUES (@ip, @mac, @declinedAt)
       ON CONFLICT(ip) DO UPDATE SET mac = excluded.mac, declined_at = excluded.declined_at`,
    );
  }

  all(): Lease[] {
    return (this.allStmt.all() as LeaseRow[]).map((r) => ({ mac: r.mac, ip: r.ip, boundAt: r.bound_at }));
  }

  /** Record (or move) the lease of a MAC. */
  save(lease: Lease): void {
    this.upsertStmt.run(lease);
  }

  delete(mac: string): void {
    this.deleteStmt.run(mac);
  }

  declined(): DeclinedAddress[] {
    return (this.declinedStmt.all() as { ip: string; mac: string; declined_at: number }[]).map((r) => ({
      ip: r.ip,
      mac: r.mac,
      declinedAt: r.declined_at,
    }));
  }

  /** Mark an address unusable and drop the lease that held it, atomically. */
  decline(entry: DeclinedAddress): void {
    this.db.transaction(() => {
      this.declineStmt.run(entry);
      this.deleteByIpStmt.run(entry.ip);
    })();
  }

  // One transaction function for all calls: db.transaction(fn) builds four wrappers per call (about
  // 20 µs), and a DHCP storm nests two per client.
  private readonly inTransaction: (fn: () => unknown) => unknown;

  /** Run several writes as one atomic unit (one fsync for a batch of leases). */
  transaction<T>(fn: () => T): T {
    return this.inTransaction(fn) as T;
  }
}
