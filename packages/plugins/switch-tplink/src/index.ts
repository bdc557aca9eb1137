import { definePlugin } from '@walt/sdk';
import { tplinkDriver } from './tplink-driver.js';

export default definePlugin({
  name: '@walt/plugin-switch-tplink',
  version: '1.0.0',
  register(api) {
    api.switchDriver(tplinkDriver);
  },
});

export { tplinkDriver, readTplinkNeighbors, portOfLabel } from './tplink-driver.js';
export * from './tplink-mibs.js';
export { tplinkSwitchProfile } from './tplink-switch-profile.js';
