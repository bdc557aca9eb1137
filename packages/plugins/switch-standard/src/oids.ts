/** OIDs of the IETF MIBs the standard driver reads (numeric: agents and tests need no MIB files). */
export const OID = {
  sysDescr: '1.3.6.1.2.1.1.1.0',
  sysObjectID: '1.3.6.1.2.1.1.2.0',
  sysName: '1.3.6.1.2.1.1.5.0',
  // IF-MIB
  ifType: '1.3.6.1.2.1.2.2.1.3',
  ifSpeed: '1.3.6.1.2.1.2.2.1.5',
  ifPhysAddress: '1.3.6.1.2.1.2.2.1.6',
  ifName: '1.3.6.1.2.1.31.1.1.1.1',
  // BRIDGE-MIB / Q-BRIDGE-MIB
  dot1dBaseBridgeAddress: '1.3.6.1.2.1.17.1.1.0',
  dot1dTpFdbPort: '1.3.6.1.2.1.17.4.3.1.2',
  dot1dTpFdbStatus: '1.3.6.1.2.1.17.4.3.1.3',
  dot1qTpFdbPort: '1.3.6.1.2.1.17.7.1.2.2.1.2',
  dot1qTpFdbStatus: '1.3.6.1.2.1.17.7.1.2.2.1.3',
  // LLDP-MIB (IEEE 802.1AB)
  lldpLocalSystemData: '1.0.8802.1.1.2.1.3',
  lldpLocPortId: '1.0.8802.1.1.2.1.3.7.1.3',
  lldpRemChassisIdSubtype: '1.0.8802.1.1.2.1.4.1.1.4',
  lldpRemChassisId: '1.0.8802.1.1.2.1.4.1.1.5',
  lldpRemSysName: '1.0.8802.1.1.2.1.4.1.1.9',
  lldpRemSysCapEnabled: '1.0.8802.1.1.2.1.4.1.1.12',
  lldpRemManAddrIfSubtype: '1.0.8802.1.1.2.1.4.2.1.3',
  // POWER-ETHERNET-MIB (RFC 3621), pethPsePortEntry
  pethPsePortEntry: '1.3.6.1.2.1.105.1.1.1',
} as const;

/** Column numbers inside a pethPsePortEntry (the same in the Netgear copy of the MIB). */
export const PETH_ADMIN_ENABLE = 3;
export const PETH_DETECTION_STATUS = 6;
/** pethPsePortDetectionStatus deliveringPower(3). */
export const PETH_DELIVERING = 3;
/** dot1qTpFdbStatus / dot1dTpFdbStatus learned(3). */
export const FDB_LEARNED = 3;
