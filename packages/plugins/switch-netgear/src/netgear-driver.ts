import { defineSwitchDriver, type SwitchDriver } from '@walt/sdk';
import { hasPethTable, pethPoeSupport, readForwardingTable, readLldpNeighbors, readPortNames, readSecondaryMacs } from '@walt/plugin-switch-standard';

/** Netgear's enterprise number (sysObjectID prefix). */
export const NETGEAR_ENTERPRISE = '1.3.6.1.4.1.4526';
/**
 * NETGEAR-POWER-ETHERNET-MIB: a copy of POWER-ETHERNET-MIB under powerEthernetMIB = {ng700smartswitch 16}
 * = 1.3.6.1.4.1.4526.11.16; pethPsePortEntry is .1.1.1 below it (admin enable column 3, detection 6).
 */
export const NETGEAR_PETH_ENTRY = '1.3.6.1.4.1.4526.11.16.1.1.1';

/** Netgear smart switches: standard LLDP and bridge MIBs, PoE in Netgear's copy of the PoE MIB. */
export const netgearDriver: SwitchDriver = defineSwitchDriver({
  id: 'netgear',
  description: 'Netgear smart switches (NETGEAR-POWER-ETHERNET-MIB)',
  async probe(snmp, info) {
    const netgear = info.sysObjectID?.startsWith(NETGEAR_ENTERPRISE + '.') ?? false;
    const poe = await hasPethTable(snmp, NETGEAR_PETH_ENTRY);
    if (netgear && poe) return 80;
    if (poe) return 60; // Netgear's private PoE table answers: a Netgear whatever its sysObjectID says
    return netgear ? 50 : 0;
  },
  lldpNeighbors: readLldpNeighbors,
  forwardingTable: readForwardingTable,
  secondaryMacs: readSecondaryMacs,
  portNames: readPortNames,
  poe: pethPoeSupport(NETGEAR_PETH_ENTRY),
});
