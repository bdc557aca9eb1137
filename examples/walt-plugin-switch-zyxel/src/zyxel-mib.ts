/**
 * The OIDs this driver uses. Zyxel's enterprise number is 890; its switch MIBs live under
 * esMgmt = 1.3.6.1.4.1.890.1.15.3, and ZYXEL-POWER-ETHERNET-MIB is zyxelPoe = esMgmt 59.
 */
export const ZYXEL_ENTERPRISE = '1.3.6.1.4.1.890';

export const ZYXEL_POE = {
  /** zyxelPoePsePortEntry (zyxelPoeSetup 2, index dot1dBasePort); column 1 is zyPoePsePortMaxPower (mW). */
  portMaxPower: '1.3.6.1.4.1.890.1.15.3.59.1.2.1.1',
  /** zyxelPoePsePortInfoEntry (zyxelPoeStatus 1, index dot1dBasePort); column 1 zyPoePsePortInfoPowerConsumption (mW). */
  portPowerConsumption: '1.3.6.1.4.1.890.1.15.3.59.2.1.1.1',
} as const;

/**
 * Zyxel has no private per-port on/off object: power is switched with POWER-ETHERNET-MIB
 * pethPsePortAdminEnable (true(1)/false(2)), whose index on these switches is (group 1, dot1dBasePort).
 * The private tables above say which bridge ports have PoE, so no speed/type heuristic is needed, even
 * though the 10G uplinks carry no PoE.
 */
export const PETH_ADMIN_ENABLE = '1.3.6.1.2.1.105.1.1.1.3';
export const PETH_TRUE = 1;
export const PETH_FALSE = 2;
