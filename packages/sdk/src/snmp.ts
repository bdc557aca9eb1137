/** SNMP as switch drivers see it: a session to one agent. The host opens it (over net-snmp). */

export type SnmpVersion = 1 | 2;

export interface SnmpTarget {
  host: string;
  /** UDP port of the agent (default 161). */
  port?: number;
  version: SnmpVersion;
  community: string;
  /** Per-request timeout in ms (default 3000). */
  timeoutMs?: number;
  /** Retries after a timeout (default 2). */
  retries?: number;
}

/** A value read from an agent. OctetStrings arrive as Buffer, integers/counters as number, OIDs as string. */
export type SnmpValue = number | bigint | string | Buffer | null;

export interface SnmpVarbind {
  oid: string;
  /** The net-snmp ObjectType number of the value. */
  type: number;
  value: SnmpValue;
}

/** The value types a driver may set. */
export type SnmpSetType = 'Integer' | 'OctetString' | 'Gauge' | 'Unsigned32';

/** Rows of a table keyed by index (the OID suffix after the column number), columns keyed by column number. */
export type SnmpTable = Map<string, Map<number, SnmpValue>>;

export interface SnmpSession {
  readonly target: Readonly<SnmpTarget>;
  /** Get scalars; a missing OID yields a varbind whose value is null. */
  get(oids: readonly string[]): Promise<SnmpVarbind[]>;
  /** Walk a subtree (GetBulk with v2c, GetNext with v1). An empty subtree gives []. */
  walk(oid: string, maxRepetitions?: number): Promise<SnmpVarbind[]>;
  /** Read a table (give the table OID, e.g. 1.3.6.1.2.1.2.2 for ifTable, not the entry OID). */
  table(tableOid: string): Promise<SnmpTable>;
  set(oid: string, type: SnmpSetType, value: number | string): Promise<void>;
  close(): void;
}

export interface SnmpSessionFactory {
  open(target: SnmpTarget): SnmpSession;
}

/** Why an SNMP request failed: no answer in time, or an answer that is an error (noAccess, noSuchName...). */
export type SnmpErrorKind = 'timeout' | 'error';

/** The one error type sessions reject with, so drivers and the host can tell a silent agent from a refusal. */
export class SnmpError extends Error {
  constructor(
    readonly kind: SnmpErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'SnmpError';
  }
}

/** Is this an SnmpError (from any copy of the SDK)? */
export function isSnmpError(e: unknown): e is SnmpError {
  return e instanceof Error && e.name === 'SnmpError' && 'kind' in e;
}

/** ObjectType numbers of net-snmp values that mean "nothing there". */
export const SNMP_NO_VALUE_TYPES: readonly number[] = [5, 128, 129, 130];

/** OID helpers drivers share: is `oid` inside `prefix`, and the suffix after it. */
export function oidSuffix(prefix: string, oid: string): string | undefined {
  return oid.startsWith(prefix + '.') ? oid.slice(prefix.length + 1) : undefined;
}

/** Split a table walk into rows: `<table>.1.<column>.<index>` -> rows[index][column]. */
export function varbindsToTable(tableOid: string, varbinds: readonly SnmpVarbind[]): SnmpTable {
  const rows: SnmpTable = new Map();
  const entry = `${tableOid}.1`;
  for (const vb of varbinds) {
    const rest = oidSuffix(entry, vb.oid);
    if (rest === undefined) continue;
    const dot = rest.indexOf('.');
    if (dot < 0) continue;
    const column = Number(rest.slice(0, dot));
    const index = rest.slice(dot + 1);
    let row = rows.get(index);
    if (!row) rows.set(index, (row = new Map()));
    row.set(column, vb.value);
  }
  return rows;
}

/** "52:54:00:12:34:56" from 6 raw bytes, or from a string net-snmp or an agent gave ("0:d:b9:..." too). */
export function macFromSnmp(value: SnmpValue): string | null {
  if (Buffer.isBuffer(value)) {
    if (value.length === 6) return [...value].map((b) => b.toString(16).padStart(2, '0')).join(':');
    return macFromSnmp(value.toString('latin1'));
  }
  if (typeof value === 'string') {
    const parts = value.trim().toLowerCase().split(/[:\s-]/);
    if (parts.length === 6 && parts.every((p) => /^[0-9a-f]{1,2}$/.test(p))) return parts.map((p) => p.padStart(2, '0')).join(':');
  }
  return null;
}

/** Text of an OctetString value (DisplayString). */
export function snmpText(value: SnmpValue): string | null {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return String(value);
}

/** Number of an Integer/Gauge/Counter value (null when absent or not numeric). */
export function snmpNumber(value: SnmpValue): number | null {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  return null;
}
