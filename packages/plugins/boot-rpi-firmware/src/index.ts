import { definePlugin } from '@walt/sdk';
import { rpiFirmwareProtocol } from './rpi-firmware-protocol.js';

export * from './rpi-firmware-protocol.js';
export { pxeMenuOption } from './pxe-menu.js';
export { isRaspberryPiMac, RPI_FOUNDATION_OUIS } from './rpi-ouis.js';

export default definePlugin<{ 'static-dir'?: string }>({
  name: '@walt/plugin-boot-rpi-firmware',
  version: '1.0.0',
  settings: {
    'static-dir': {
      type: 'string',
      description: "Folder of firmware and U-Boot files for boards not registered yet (default: the server's <data dir>/tftp-static)",
      pattern: '^/',
      example: '/var/lib/walt/tftp-static',
    },
  },
  register(api) {
    api.bootProtocol(rpiFirmwareProtocol({ staticDir: api.context.settings['static-dir'] }));
  },
});
