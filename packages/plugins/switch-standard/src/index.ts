import { definePlugin } from '@walt/sdk';
import { standardDriver } from './standard-driver.js';

export default definePlugin({
  name: '@walt/plugin-switch-standard',
  version: '1.0.0',
  register(api) {
    api.switchDriver(standardDriver);
  },
});

// Building blocks for vendor drivers whose switches speak part of the IETF MIBs.
export { OID } from './oids.js';
export { readLldpNeighbors, readLldpPortLabels, hasLldpMib } from './lldp-mib.js';
export { readForwardingTable, readSecondaryMacs, hasForwardingTable } from './bridge-mib.js';
export { readIfColumn, readIfNames } from './if-mib.js';
export { pethPoeSupport, hasPethTable, pethAdminColumn } from './power-ethernet-mib.js';
export { mapPoePorts, type PoeMappingInput } from './poe-port-mapping.js';
export { standardDriver, readPortNames } from './standard-driver.js';
