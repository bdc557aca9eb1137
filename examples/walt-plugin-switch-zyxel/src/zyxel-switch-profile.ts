import type { SwitchProfile } from '@walt/sdk/testing';

/** ZYXEL-POWER-ETHERNET-MIB table entries (see zyxel-mib.ts for the columns). */
const POE_PSE_PORT_ENTRY = '1.3.6.1.4.1.890.1.15.3.59.1.2.1';
const POE_PSE_PORT_INFO_ENTRY = '1.3.6.1.4.1.890.1.15.3.59.2.1.1';

/**
 * How a Zyxel switch looks to this driver, for @walt/sdk/testing's simulated switch and conformance
 * suite (which know nothing of Zyxel): IETF LLDP-MIB and POWER-ETHERNET-MIB, two 10G uplinks without
 * PoE (so the standard speed heuristic cannot map ports), and the private tables saying which bridge
 * ports have PoE.
 */
export const zyxelSwitchProfile: SwitchProfile = {
  name: 'zyxel',
  sysObjectID: '1.3.6.1.4.1.890.1.15',
  uplinks: 2,
  tables: (sw) => [
    {
      name: 'zyxelPoePsePortEntry',
      entryOid: POE_PSE_PORT_ENTRY,
      rows: sw.poePorts.map((p) => [p]),
      columns: [
        { number: 1, type: 'integer', value: () => 30000 },
        { number: 2, type: 'integer', value: () => 3 },
      ],
    },
    {
      name: 'zyxelPoePsePortInfoEntry',
      entryOid: POE_PSE_PORT_INFO_ENTRY,
      rows: sw.poePorts.map((p) => [p]),
      columns: [{ number: 1, type: 'integer', dynamic: true, value: ([p]) => (sw.isPoeOn(p) && sw.hasPoweredDevice(p) ? 4200 : 0) }],
    },
  ],
};
