import { defineSwitchDriver, type SnmpSession, type SwitchDriver } from '@walt/sdk';
import { hasForwardingTable, readForwardingTable, readSecondaryMacs } from './bridge-mib.js';
import { readIfNames } from './if-mib.js';
import { hasLldpMib, readLldpNeighbors, readLldpPortLabels } from './lldp-mib.js';
import { OID } from './oids.js';
import { hasPethTable, pethPoeSupport } from './power-ethernet-mib.js';

/** Port labels: LLDP local port ids, else interface names. */
export async function readPortNames(snmp: SnmpSession): Promise<Map<number, string>> {
  const labels = await readLldpPortLabels(snmp).catch(() => new Map<number, string>());
  if (labels.size) return labels;
  return readIfNames(snmp);
}

/**
 * The driver for any switch that speaks the IETF MIBs. It scores 10 for answering at all, plus 10 for
 * each of LLDP-MIB, a forwarding table and POWER-ETHERNET-MIB: always below a vendor match.
 */
export const standardDriver: SwitchDriver = defineSwitchDriver({
  id: 'standard',
  description: 'IETF MIBs: LLDP-MIB, Q-BRIDGE/BRIDGE-MIB, IF-MIB, POWER-ETHERNET-MIB',
  // The driver every other one falls back on (probed last, asked for what a vendor driver lacks).
  fallback: true,
  async probe(snmp, info) {
    if (info.sysObjectID === null && info.sysName === null && info.sysDescr === null) return 0;
    const [lldp, fdb, poe] = await Promise.all([hasLldpMib(snmp), hasForwardingTable(snmp), hasPethTable(snmp, OID.pethPsePortEntry)]);
    return 10 + (lldp ? 10 : 0) + (fdb ? 10 : 0) + (poe ? 10 : 0);
  },
  lldpNeighbors: readLldpNeighbors,
  forwardingTable: readForwardingTable,
  secondaryMacs: readSecondaryMacs,
  portNames: readPortNames,
  poe: pethPoeSupport(OID.pethPsePortEntry),
});
