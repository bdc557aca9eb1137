import type { Device, DeviceType } from '../devices/device.js';
import { CommittedRowsCache } from './committed-rows-cache.js';
import type { Db } from './database.js';

interface DeviceRow {
  mac: string;
  ip: string | null;
  name: string;
  type: DeviceType;
  virtual: number;
  model: string | null;
  image: string | null;
  conf: string;
  created_at: number;
}

const toDevice = (r: DeviceRow): Device => ({
  mac: r.mac,
  ip: r.ip,
  name: r.name,
  type: r.type,
  virtual: r.virtual === 1,
  model: r.model,
  image: r.image,
  conf: JSON.parse(r.conf) as Record<string, unknown>,
  createdAt: r.created_at,
});

/**
 * Persistence of the device registry (one row per MAC). The only writer of the devices table, so it
 * keeps the committed rows by MAC and by IP that DHCP asks for several times per client
 * (committed-rows-cache.ts says why that stays true); each read still builds a fresh Device.
 */
export class DevicesRepository {
  private readonly rowsByMac = new CommittedRowsCache<string, DeviceRow>();
  private readonly rowsByIp = new CommittedRowsCache<string, DeviceRow>();
  /** By name too: naming a new device checks that its name is free (a read per new client of a storm). */
  private readonly rowsByName = new CommittedRowsCache<string, DeviceRow>();
  private readonly byMacStmt;
  private readonly byNameStmt;
  private readonly byIpStmt;
  private readonly allStmt;
  private readonly allRowsStmt;
  private readonly insertStmt;
  private readonly updateStmt;
  private readonly deleteStmt;
  private readonly countLogsStmt;

  constructor(private readonly db: Db) {
    this.inTransaction = db.transaction((fn: () => unknown) => fn());
    this.byMacStmt = db.prepare('SELECT * FROM devices WHERE mac = ?');
    this.byNameStmt = db.prepare('SELECT * FROM devices WHERE name = ?');
    this.byIpStmt = db.prepare('SELECT * FROM devices WHERE ip = ?');
    this.allStmt = db.prepare('SELECT * FROM devices ORDER BY name');
    this.allRowsStmt = db.prepare('SELECT * FROM devices');
    this.insertStmt = db.prepare(
      `INSERT INTO devices (mac, ip, name, type, virtual, model, image, conf, created_at)
       VALUES (@mac, @ip, @name, @type, @virtual, @model, @image, @conf, @createdAt)`,
    );
    this.updateStmt = db.prepare(
      `UPDATE devices SET ip=@ip, name=@name, type=@type, virtual=@virtual, model=@model, image=@image, conf=@conf
       WHERE mac=@mac`,
    );
    this.deleteStmt = db.prepare('DELETE FROM devices WHERE mac = ?');
    // Console streams (netconsole, virtualconsole) do not count as logs worth keeping a device for.
    this.countLogsStmt = db.prepare(
      `SELECT count(*) AS n FROM logs WHERE stream_id IN
         (SELECT id FROM logstreams WHERE issuer_mac = ? AND name NOT LIKE '%console')`,
    );
  }

  byMac(mac: string): Device | undefined {
    const r = this.cachedRead(this.rowsByMac, this.byMacStmt, mac);
    return r ? toDevice(r) : undefined;
  }

  byName(name: string): Device | undefined {
    const r = this.cachedRead(this.rowsByName, this.byNameStmt, name);
    return r ? toDevice(r) : undefined;
  }

  byIp(ip: string): Device | undefined {
    const r = this.cachedRead(this.rowsByIp, this.byIpStmt, ip);
    return r ? toDevice(r) : undefined;
  }

  all(): Device[] {
    return (this.allStmt.all() as DeviceRow[]).map(toDevice);
  }

  insert(d: Device): void {
    this.forgetRows(d);
    this.insertStmt.run({ ...d, virtual: d.virtual ? 1 : 0, conf: JSON.stringify(d.conf) });
  }

  update(d: Device): void {
    this.forgetRows(d);
    this.updateStmt.run({ ...d, virtual: d.virtual ? 1 : 0, conf: JSON.stringify(d.conf) });
  }

  delete(mac: string): void {
    this.forgetRows({ mac, ip: null, name: null });
    this.deleteStmt.run(mac);
  }

  /** A read remembered only outside transactions: inside one, the row may yet be rolled back. */
  private cachedRead(cache: CommittedRowsCache<string, DeviceRow>, stmt: { get(key: string): unknown }, key: string): DeviceRow | null {
    if (!this.indexTried && !this.db.inTransaction) this.buildIndex();
    const cached = cache.get(key);
    if (cached !== undefined) return cached;
    const row = (stmt.get(key) as DeviceRow | undefined) ?? null;
    if (!this.db.inTransaction) cache.remember(key, row);
    return row;
  }

  private indexTried = false;

  /**
   * Once, at the first lookup outside a transaction: every committed row by MAC, IP and name, so the
   * lookups of a MAC, address or name not registered (each new client of a boot storm) read nothing from
   * the database (committed-rows-cache.ts: complete). An address several rows share is left to the
   * database (its read decides which row). Above the cache's capacity, the caches stay partial.
   */
  private buildIndex(): void {
    this.indexTried = true;
    const byMac = new Map<string, DeviceRow>();
    const byIp = new Map<string, DeviceRow>();
    const byName = new Map<string, DeviceRow>();
    const shared = new Set<string>();
    for (const row of this.allRowsStmt.iterate() as IterableIterator<DeviceRow>) {
      byMac.set(row.mac, row);
      byName.set(row.name, row); // names are unique (schema)
      if (row.ip === null) continue;
      if (byIp.has(row.ip)) shared.add(row.ip);
      else byIp.set(row.ip, row);
    }
    for (const ip of shared) byIp.delete(ip);
    if (this.rowsByMac.fill(byMac)) {
      this.rowsByIp.fill(byIp, shared);
      this.rowsByName.fill(byName);
    }
  }

  /** Before a write of this MAC's row: forget it by MAC, by its current address and name and by its new ones. */
  private forgetRows(d: { mac: string; ip: string | null; name: string | null }): void {
    const cached = this.rowsByMac.get(d.mac);
    const current = cached !== undefined ? cached : (this.byMacStmt.get(d.mac) as DeviceRow | undefined);
    this.rowsByMac.forget(d.mac);
    this.rowsByIp.forget(current?.ip);
    this.rowsByIp.forget(d.ip);
    this.rowsByName.forget(current?.name);
    this.rowsByName.forget(d.name);
  }

  /** Number of log lines this device issued, console streams excluded. */
  countLogLines(mac: string): number {
    return (this.countLogsStmt.get(mac) as { n: number }).n;
  }

  // One transaction function for all calls: db.transaction(fn) builds four wrappers per call (about
  // 20 µs), and a DHCP storm nests two per client.
  private readonly inTransaction: (fn: () => unknown) => unknown;

  /** Run several writes as one atomic unit. */
  transaction<T>(fn: () => T): T {
    return this.inTransaction(fn) as T;
  }
}
