/** SNMP as switch drivers see it: a session to one agent. The host opens it (over net-snmp). */

export type SnmpVersion = 1 | 2;

export interface SnmpTarget {
  host: string;
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

export interface SnmpSession {
  readonly target: Readonly<SnmpTarget>;
  /** Get scalars; a missing OID yields a varbind whose value is null. */
  get(oids: readonly string[]): Promise<SnmpVarbind[]>;
  /** Walk a subtree (bulk with v2c, getnext with v1). */
  walk(oid: string, maxRepetitions?: number): Promise<SnmpVarbind[]>;
  /** Read a table: rows keyed by index (the OID suffix after the column), columns keyed by column number. */
  table(tableOid: string): Promise<Map<string, Map<number, SnmpValue>>>;
  set(oid: string, type: SnmpSetType, value: number | string): Promise<void>;
  close(): void;
}

export interface SnmpSessionFactory {
  open(target: SnmpTarget): SnmpSession;
}
