import type { SwitchProfile } from '@walt/sdk/testing';
import { NETGEAR_PETH_ENTRY } from './netgear-driver.js';

/**
 * How a Netgear switch looks to this driver, for @walt/sdk/testing's simulated switch and
 * conformance suite: IETF LLDP-MIB, and PoE only in NETGEAR-POWER-ETHERNET-MIB (the
 * pethPsePortTable layout under Netgear's OID).
 */
export const netgearSwitchProfile: SwitchProfile = {
  name: 'netgear',
  sysObjectID: '1.3.6.1.4.1.4526.100.4.38',
  pethMib: false,
  tables: (sw) => [sw.pethPsePortTable('netgearPethPsePortEntry', NETGEAR_PETH_ENTRY)],
};
