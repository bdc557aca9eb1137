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
];
