/**
 * Versioned schema migrations, applied in order inside one transaction each. A migration is never
 * edited once released: add a new one. Each subsystem appends its own; `id` is the version.
 */
export interface Migration {
  id: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    name: 'devices',
    sql: `
      CREATE TABLE devices (
        mac        TEXT PRIMARY KEY,
        ip         TEXT,
        name       TEXT NOT NULL UNIQUE,
        type       TEXT NOT NULL CHECK (type IN ('server','node','switch','unknown')),
        virtual    INTEGER NOT NULL DEFAULT 0,
        model      TEXT,
        image      TEXT,
        conf       TEXT NOT NULL DEFAULT '{}',
        created_at REAL NOT NULL
      );
      CREATE INDEX devices_ip_idx ON devices(ip);
      CREATE INDEX devices_type_idx ON devices(type);
    `,
  },
  {
    id: 2,
    name: 'logs',
    sql: `
      CREATE TABLE logstreams (
        id         INTEGER PRIMARY KEY,
        issuer_mac TEXT NOT NULL,
        name       TEXT NOT NULL,
        mode       TEXT NOT NULL DEFAULT 'line',
        UNIQUE (issuer_mac, name)
      );
      CREATE TABLE logs (
        stream_id INTEGER NOT NULL,
        ts        INTEGER NOT NULL, -- microseconds since the epoch
        line      TEXT NOT NULL
      );
      CREATE INDEX logs_ts_idx ON logs(ts);
      CREATE INDEX logs_stream_ts_idx ON logs(stream_id, ts);
      CREATE TABLE checkpoints (
        username TEXT NOT NULL,
        name     TEXT NOT NULL,
        ts       INTEGER NOT NULL,
        PRIMARY KEY (username, name)
      );
    `,
  },
  {
    id: 3,
    name: 'settings',
    sql: `CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
  },
  {
    id: 4,
    name: 'dhcp-leases',
    sql: `
      CREATE TABLE dhcp_leases (
        mac      TEXT PRIMARY KEY,
        ip       TEXT NOT NULL UNIQUE,
        bound_at REAL NOT NULL
      );
      CREATE TABLE dhcp_declined (
        ip          TEXT PRIMARY KEY,
        mac         TEXT NOT NULL,
        declined_at REAL NOT NULL
      );
    `,
  },
  {
    id: 5,
    name: 'switches',
    sql: `
      -- Links between devices (mac1 < mac2); a port is NULL when unknown (walt device tree).
      CREATE TABLE topology (
        mac1      TEXT NOT NULL,
        port1     INTEGER,
        mac2      TEXT NOT NULL,
        port2     INTEGER,
        confirmed INTEGER NOT NULL,
        last_seen REAL NOT NULL,
        PRIMARY KEY (mac1, mac2)
      );
      -- Port names given with walt device port-config.
      CREATE TABLE switch_ports (mac TEXT NOT NULL, port INTEGER NOT NULL, name TEXT NOT NULL, PRIMARY KEY (mac, port));
      -- Switch ports WalT powered off (hard-reboot, powersave): restored at startup and on rescan.
      CREATE TABLE poeoff (mac TEXT NOT NULL, port INTEGER NOT NULL, reason TEXT NOT NULL, since REAL NOT NULL, PRIMARY KEY (mac, port));
      -- The driver probing chose for a switch, and its PoE port map, kept across restarts.
      CREATE TABLE switch_drivers (
        mac       TEXT PRIMARY KEY,
        ip        TEXT,
        driver    TEXT NOT NULL,
        score     INTEGER NOT NULL,
        poe_map   TEXT,
        -- The drivers that competed (sorted ids): a plugin added or removed means probing again.
        drivers   TEXT NOT NULL,
        probed_at REAL NOT NULL
      );
      CREATE TABLE topology_scans (id INTEGER PRIMARY KEY CHECK (id = 1), at REAL NOT NULL);
    `,
  },
  {
    id: 6,
    name: 'users',
    sql: `
      -- WalT users and their API tokens (issue 14): only a SHA-256 of each token is kept.
      CREATE TABLE users (
        name       TEXT PRIMARY KEY,
        token_hash TEXT NOT NULL,
        created_at REAL NOT NULL,
        -- 'claim' (trust on first use) or 'admin' (issued by walt-server users issue)
        origin     TEXT NOT NULL
      );
    `,
  },
];
