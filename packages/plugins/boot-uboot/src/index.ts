import { definePlugin } from '@walt/sdk';
import { ubootProtocol } from './uboot-protocol.js';

export { ubootProtocol, UBOOT_PROTOCOL_ID, currentUbootName } from './uboot-protocol.js';

export default definePlugin({
  name: '@walt/plugin-boot-uboot',
  version: '1.0.0',
  register(api) {
    api.bootProtocol(ubootProtocol());
  },
});
