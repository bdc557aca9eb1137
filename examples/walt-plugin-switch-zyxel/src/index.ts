import { definePlugin } from '@walt/sdk';
import { zyxelDriver } from './zyxel-driver.js';

export default definePlugin({
  name: 'walt-plugin-switch-zyxel',
  version: '1.0.0',
  register(api) {
    api.switchDriver(zyxelDriver);
  },
});

export { zyxelDriver } from './zyxel-driver.js';
export * from './zyxel-mib.js';
export { zyxelSwitchProfile } from './zyxel-switch-profile.js';
