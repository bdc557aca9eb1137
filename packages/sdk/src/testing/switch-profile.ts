/**
 * What a simulated switch serves besides the IETF MIBs every switch may have: a switch driver's own
 * package ships the profile of the switches it is written for (its sysObjectID, which standard MIBs
 * they lack, their vendor tables), so the SDK's test kit knows no vendor.
 */
export interface SwitchProfile {
  /** Short name for messages and default sysNames (e.g. "standard", "acme"). */
  name: string;
  /** The sysObjectID the switch answers. */
  sysObjectID: string;
  /** The last `uplinks` front ports are uplinks: 10G, no PoE (default 0). */
  uplinks?: number;
  /** Serves the IETF LLDP-MIB (default true). */
  lldpMib?: boolean;
  /** Serves the IETF POWER-ETHERNET-MIB pethPsePortTable (default true). */
  pethMib?: boolean;
  /** Its LLDP neighbours come with management addresses (default: lldpMib). */
  lldpManagementAddresses?: boolean;
  /** The vendor tables, computed from the switch's state (ports, PoE, neighbours). */
  tables?(state: SimulatedSwitchState): SimulatedTable[];
}

/** The type of a simulated MIB column. */
export type SimulatedColumnType = 'integer' | 'octet-string' | 'gauge' | 'oid';

export interface SimulatedColumn {
  number: number;
  type: SimulatedColumnType;
  value(index: number[]): number | string | Buffer;
  writable?: boolean;
  /** Called once per committed SET on this column. */
  onSet?(index: number[], value: number): void;
  /** Re-evaluate `value` on every read (state that changes). */
  dynamic?: boolean;
}

/** A table whose index is a list of integers (a MAC is 6 sub-identifiers, an IPv4 address 4). */
export interface SimulatedTable {
  name: string;
  /** The table entry's OID. */
  entryOid: string;
  rows: number[][];
  columns: SimulatedColumn[];
}

/** A simulated switch's state, as a profile's tables read and change it. */
export interface SimulatedSwitchState {
  readonly mac: string;
  /** Front ports, 1..n. */
  readonly frontPorts: readonly number[];
  readonly poePorts: readonly number[];
  readonly neighbors: readonly SimulatedNeighbor[];
  isPoeOn(port: number): boolean;
  /** A powered device is plugged into this port (it draws power while PoE is on). */
  hasPoweredDevice(port: number): boolean;
  /** A manager's SET: recorded (SimulatedSwitch.sets), then applied to the port when `on` is known. */
  snmpSetPoe(oid: string, value: number, port: number, on: boolean | undefined): void;
  /**
   * The IETF pethPsePortEntry layout (index group 1 then port; column 3 admin enable 1/2, column 6
   * detection status) under another OID, as some vendors copy it into their own MIB.
   */
  pethPsePortTable(name: string, entryOid: string): SimulatedTable;
}

export interface SimulatedNeighbor {
  /** Local port the neighbour is seen on. */
  port: number;
  mac: string;
  ip?: string | null;
  sysName?: string;
  /** Announces the bridge capability (a switch). */
  bridge?: boolean;
}

/** A switch of the IETF MIBs only: LLDP-MIB, Q-BRIDGE-MIB, IF-MIB, POWER-ETHERNET-MIB. */
export const STANDARD_SWITCH_PROFILE: SwitchProfile = Object.freeze({ name: 'standard', sysObjectID: '1.3.6.1.4.1.8072.3.2.10' });

/**
 * A switch that serves none of the IETF LLDP and PoE MIBs (its vendor keeps them in private tables
 * no driver here knows): a standard-MIB driver must score it low.
 */
export const NO_STANDARD_MIBS_PROFILE: SwitchProfile = Object.freeze({
  name: 'no-standard-mibs',
  sysObjectID: '1.3.6.1.4.1.8072.3.2.255',
  lldpMib: false,
  pethMib: false,
});
