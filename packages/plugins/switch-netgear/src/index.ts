import { definePlugin } from '@walt/sdk';
import { netgearDriver } from './netgear-driver.js';

export default definePlugin({
  name: '@walt/plugin-switch-netgear',
  version: '1.0.0',
  register(api) {
    api.switchDriver(netgearDriver);
  },
});

export { netgearDriver, NETGEAR_ENTERPRISE, NETGEAR_PETH_ENTRY } from './netgear-driver.js';
export { netgearSwitchProfile } from './netgear-switch-profile.js';
