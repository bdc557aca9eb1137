import type { SnmpSession } from './snmp.js';

/** What the host learnt of a switch before asking drivers whether they handle it. */
export interface SwitchProbeInfo {
  sysObjectID: string | null;
  sysDescr: string | null;
  sysName: string | null;
}

/** One LLDP neighbour seen on a local port. */
export interface LldpNeighbor {
  /** Local port number (lldpRemLocalPortNum, i.e. the bridge port). */
  port: number;
  /** Neighbour chassis MAC, lowercase "aa:bb:cc:dd:ee:ff". */
  mac: string;
  /** Neighbour management IPv4 address, when advertised. */
  ip: string | null;
  sysName: string | null;
}

/** A learned entry of the forwarding table (Q-BRIDGE / BRIDGE MIB). */
export interface ForwardingEntry {
  mac: string;
  port: number;
}

/** PoE state of one interface port. */
export interface PoePortState {
  /** Interface port number (same numbering as LLDP local ports). */
  port: number;
  enabled: boolean;
  /** True when the port is delivering power. */
  delivering: boolean;
}

export interface PoeSupport {
  /** PoE state of every PoE-capable port, keyed by interface port number. */
  ports(snmp: SnmpSession): Promise<PoePortState[]>;
  /** Switch power on one interface port on or off. */
  setPower(snmp: SnmpSession, port: number, on: boolean): Promise<void>;
}

export interface SwitchDriver {
  id: string;
  description: string;
  /**
   * Does this driver handle that switch? Return a score: 0 (no) up to 100; the highest wins,
   * ties go to the driver probed first. A vendor driver returns more than a standard one.
   */
  probe(snmp: SnmpSession, info: SwitchProbeInfo): Promise<number>;
  lldpNeighbors?(snmp: SnmpSession): Promise<LldpNeighbor[]>;
  forwardingTable?(snmp: SnmpSession): Promise<ForwardingEntry[]>;
  /** Port names (label per interface port number). */
  portNames?(snmp: SnmpSession): Promise<Map<number, string>>;
  poe?: PoeSupport;
}
