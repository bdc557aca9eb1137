import type { SwitchProfile } from '@walt/sdk/testing';

/** TPLINK-LLDPINFO-MIB and TPLINK-POWER-OVER-ETHERNET-MIB table entries (see tplink-mibs.ts for the columns). */
const LLDP_LOCAL_PORT_ENTRY = '1.3.6.1.4.1.11863.6.35.1.2.1.1';
const LLDP_NEIGHBOR_ENTRY = '1.3.6.1.4.1.11863.6.35.1.2.2.1';
const POE_PORT_ENTRY = '1.3.6.1.4.1.11863.6.56.1.1.2.1.1';

/**
 * How a TP-Link switch looks to this driver, for @walt/sdk/testing's simulated switch and
 * conformance suite: no IETF LLDP or PoE MIB, its private LLDP tables (neighbours as MAC text, no
 * management address) and PoE table (enable 1 / disable 0, power status on 2).
 */
export const tplinkSwitchProfile: SwitchProfile = {
  name: 'tplink',
  sysObjectID: '1.3.6.1.4.1.11863.1.1.40',
  lldpMib: false,
  pethMib: false,
  lldpManagementAddresses: false,
  tables: (sw) => [
    { name: 'tplinkLldpLocalPortEntry', entryOid: LLDP_LOCAL_PORT_ENTRY, rows: sw.frontPorts.map((p) => [p]), columns: [{ number: 1, type: 'octet-string', value: ([p]) => `1/0/${p}` }] },
    {
      name: 'tplinkLldpNeighborEntry',
      entryOid: LLDP_NEIGHBOR_ENTRY,
      rows: sw.neighbors.map((n, i) => [n.port, i + 1]),
      columns: [
        { number: 3, type: 'octet-string', value: () => 'MAC address' },
        { number: 4, type: 'octet-string', value: ([, i]) => sw.neighbors[i - 1].mac.toUpperCase() },
        { number: 9, type: 'octet-string', value: ([, i]) => sw.neighbors[i - 1].sysName ?? '' },
      ],
    },
    {
      name: 'tplinkPoePortEntry',
      entryOid: POE_PORT_ENTRY,
      rows: sw.poePorts.map((p) => [p]),
      columns: [
        {
          number: 2,
          type: 'integer',
          writable: true,
          dynamic: true,
          value: ([p]) => (sw.isPoeOn(p) ? 1 : 0),
          onSet: ([p], value) => sw.snmpSetPoe(`${POE_PORT_ENTRY}.2.${p}`, value, p, value === 1 ? true : value === 0 ? false : undefined),
        },
        { number: 11, type: 'integer', dynamic: true, value: ([p]) => (sw.isPoeOn(p) && sw.hasPoweredDevice(p) ? 2 : 0) },
      ],
    },
  ],
};
