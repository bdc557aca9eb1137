import type { SnmpSession } from './snmp.js';

/**
 * Switch drivers: pure SNMP logic over a session the host opens. The host probes every driver on a
 * switch (highest score wins), caches the winner and the driver's PoE port map (memory and store),
 * then calls the chosen driver for LLDP, forwarding table, port names and PoE.
 */

/** What the host learnt of a switch (system group) before asking drivers whether they handle it. */
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
  /** The neighbour announces (and enables) the bridge capability: it is a switch. */
  bridge?: boolean;
}

/** A learned entry of the forwarding table (Q-BRIDGE / BRIDGE MIB). */
export interface ForwardingEntry {
  mac: string;
  /** Bridge port (same numbering as LLDP local ports). */
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

/**
 * Interface port -> the driver's PoE index (an OID suffix such as "1.5"): JSON-serialisable, so the
 * host can keep it across restarts. Computed once per switch by `mapPorts`.
 */
export type PoePortMap = Readonly<Record<string, string>>;

export interface PoeSupport {
  /**
   * Correlate interface ports and PoE indexes (may be a heuristic; throw a one-line Error if it
   * cannot). Without it the host uses the identity map (port n -> "n").
   */
  mapPorts?(snmp: SnmpSession): Promise<PoePortMap>;
  /** PoE state of every PoE-capable port. */
  ports(snmp: SnmpSession, map: PoePortMap): Promise<PoePortState[]>;
  /** Switch power on one interface port on or off. */
  setPower(snmp: SnmpSession, port: number, on: boolean, map: PoePortMap): Promise<void>;
}

export interface SwitchDriver {
  id: string;
  description: string;
  /**
   * Does this driver handle that switch? Return a score: 0 (no) up to 100; the highest wins, ties go
   * to the driver registered first. A vendor driver that recognises its switch returns more than a
   * standard one (guide: standard MIBs 10-50, vendor match 60-90).
   */
  probe(snmp: SnmpSession, info: SwitchProbeInfo): Promise<number>;
  /** LLDP neighbours (remote systems with their management addresses). */
  lldpNeighbors?(snmp: SnmpSession): Promise<LldpNeighbor[]>;
  /** Learned MACs per bridge port, for switches without LLDP. */
  forwardingTable?(snmp: SnmpSession): Promise<ForwardingEntry[]>;
  /** The switch's own MACs other than its chassis MAC (interface MACs, bridge address). */
  secondaryMacs?(snmp: SnmpSession): Promise<string[]>;
  /** Port labels (LLDP local port ids or interface names) per port number. */
  portNames?(snmp: SnmpSession): Promise<Map<number, string>>;
  poe?: PoeSupport;
  /**
   * A driver of the standard MIBs that the others fall back on: probed last (skipped when a vendor
   * driver is a confident match), and asked for what the chosen driver lacks (e.g. LLDP for a
   * PoE-only vendor driver). The first such driver registered is the one used.
   */
  fallback?: boolean;
}
