import type { Db } from './database.js';

/** A link of the network topology: mac1 < mac2, ports null when unknown. */
export interface TopologyLink {
  mac1: string;
  port1: number | null;
  mac2: string;
  port2: number | null;
  confirmed: boolean;
  lastSeen: number;
}

export interface PoeOffEntry {
  mac: string;
  port: number;
  reason: string;
  since: number;
}

export interface StoredDriverChoice {
  mac: string;
  ip: string | null;
  driver: string;
  score: number;
  poeMap: Record<string, string> | null;
  /** Sorted ids of the drivers that competed. */
  drivers: string;
  probedAt: number;
}

/** Persistence of the switches aggregate: topology, port names, ports powered off, driver choices. */
export class SwitchesRepository {
  constructor(private readonly db: Db) {}

  // --- topology ---
  topology(): TopologyLink[] {
    const rows = this.db.prepare('SELECT * FROM topology').all() as Array<{
      mac1: string;
      port1: number | null;
      mac2: string;
      port2: number | null;
      confirmed: number;
      last_seen: number;
    }>;
    return rows.map((r) => ({ mac1: r.mac1, port1: r.port1, mac2: r.mac2, port2: r.port2, confirmed: r.confirmed === 1, lastSeen: r.last_seen }));
  }

  /** Replace the whole topology and record the scan time, atomically. */
  saveTopology(links: readonly TopologyLink[], scannedAt: number): void {
    const insert = this.db.prepare(
      'INSERT INTO topology (mac1, port1, mac2, port2, confirmed, last_seen) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM topology').run();
      for (const l of links) insert.run(l.mac1, l.port1, l.mac2, l.port2, l.confirmed ? 1 : 0, l.lastSeen);
      this.db.prepare('INSERT INTO topology_scans (id, at) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET at = excluded.at').run(scannedAt);
    })();
  }

  lastScan(): number | null {
    const r = this.db.prepare('SELECT at FROM topology_scans WHERE id = 1').get() as { at: number } | undefined;
    return r?.at ?? null;
  }

  // --- port names ---
  portNames(mac: string): Map<number, string> {
    const rows = this.db.prepare('SELECT port, name FROM switch_ports WHERE mac = ?').all(mac) as Array<{ port: number; name: string }>;
    return new Map(rows.map((r) => [r.port, r.name]));
  }

  setPortName(mac: string, port: number, name: string | null): void {
    if (name === null) this.db.prepare('DELETE FROM switch_ports WHERE mac = ? AND port = ?').run(mac, port);
    else this.db.prepare('INSERT INTO switch_ports (mac, port, name) VALUES (?, ?, ?) ON CONFLICT(mac, port) DO UPDATE SET name = excluded.name').run(mac, port, name);
  }

  // --- PoE off ---
  poeOff(): PoeOffEntry[] {
    return this.db.prepare('SELECT mac, port, reason, since FROM poeoff ORDER BY mac, port').all() as PoeOffEntry[];
  }

  recordPoeOff(mac: string, port: number, reason: string): void {
    this.db
      .prepare('INSERT INTO poeoff (mac, port, reason, since) VALUES (?, ?, ?, ?) ON CONFLICT(mac, port) DO UPDATE SET reason = excluded.reason')
      .run(mac, port, reason, Date.now() / 1000);
  }

  clearPoeOff(mac: string, port: number): void {
    this.db.prepare('DELETE FROM poeoff WHERE mac = ? AND port = ?').run(mac, port);
  }

  // --- driver choices ---
  driverChoice(mac: string): StoredDriverChoice | undefined {
    const r = this.db.prepare('SELECT * FROM switch_drivers WHERE mac = ?').get(mac) as
      | { mac: string; ip: string | null; driver: string; score: number; poe_map: string | null; drivers: string; probed_at: number }
      | undefined;
    return r && { mac: r.mac, ip: r.ip, driver: r.driver, score: r.score, poeMap: r.poe_map ? JSON.parse(r.poe_map) : null, drivers: r.drivers, probedAt: r.probed_at };
  }

  saveDriverChoice(c: StoredDriverChoice): void {
    this.db
      .prepare(
        `INSERT INTO switch_drivers (mac, ip, driver, score, poe_map, drivers, probed_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(mac) DO UPDATE SET ip = excluded.ip, driver = excluded.driver, score = excluded.score,
           poe_map = excluded.poe_map, drivers = excluded.drivers, probed_at = excluded.probed_at`,
      )
      .run(c.mac, c.ip, c.driver, c.score, c.poeMap ? JSON.stringify(c.poeMap) : null, c.drivers, c.probedAt);
  }

  forgetDriverChoice(mac: string): void {
    this.db.prepare('DELETE FROM switch_drivers WHERE mac = ?').run(mac);
  }

  /** A device was forgotten: drop every row that names it. */
  forgetDevice(mac: string): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM topology WHERE mac1 = ? OR mac2 = ?').run(mac, mac);
      this.db.prepare('DELETE FROM switch_ports WHERE mac = ?').run(mac);
      this.db.prepare('DELETE FROM poeoff WHERE mac = ?').run(mac);
      this.db.prepare('DELETE FROM switch_drivers WHERE mac = ?').run(mac);
    })();
  }
}
