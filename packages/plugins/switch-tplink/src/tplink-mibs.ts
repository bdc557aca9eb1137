/** TP-Link private MIBs, under tplinkMgmt = 1.3.6.1.4.1.11863.6. */
export const TPLINK_ENTERPRISE = '1.3.6.1.4.1.11863';

/** TPLINK-LLDPINFO-MIB (tplinkLldpMIB = tplinkMgmt 35). */
export const TPLINK_LLDP = {
  /** lldpLocalPortId, index ifIndex: a label such as "1/0/5"; the port number is its last digits. */
  localPortId: '1.3.6.1.4.1.11863.6.35.1.2.1.1.1',
  /** lldpNeighborChassisIdType, index (ifIndex, neighbor): the text "MAC address" for MAC chassis ids. */
  neighborChassisIdType: '1.3.6.1.4.1.11863.6.35.1.2.2.1.3',
  /** lldpNeighborChassisId: the MAC as text. */
  neighborChassisId: '1.3.6.1.4.1.11863.6.35.1.2.2.1.4',
  /** lldpNeighborDeviceName. */
  neighborDeviceName: '1.3.6.1.4.1.11863.6.35.1.2.2.1.9',
} as const;

/** TPLINK-POWER-OVER-ETHERNET-MIB (tplinkPowerOverEthernetMIB = tplinkMgmt 56), index tpPoePortIndex. */
export const TPLINK_POE = {
  /** tpPoePortStatus: enable(1) / disable(0); read-write. */
  portStatus: '1.3.6.1.4.1.11863.6.56.1.1.2.1.1.2',
  /** tpPoePowerStatus: on(2) when delivering power. */
  powerStatus: '1.3.6.1.4.1.11863.6.56.1.1.2.1.1.11',
} as const;

export const TP_ENABLE = 1;
export const TP_DISABLE = 0;
export const TP_POWER_ON = 2;
