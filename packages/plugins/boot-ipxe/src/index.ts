import { definePlugin } from '@walt/sdk';
import { DEFAULT_SNPONLY_PATH, DEFAULT_UNDIONLY_PATH, ipxeProtocol } from './ipxe-protocol.js';

export * from './ipxe-protocol.js';
export { waltIpxeScript } from './ipxe-script.js';

export default definePlugin<{ 'undionly-path': string; 'snponly-path': string }>({
  name: '@walt/plugin-boot-ipxe',
  version: '1.0.0',
  settings: {
    'undionly-path': {
      type: 'string',
      description: 'Host path of the iPXE loader served to BIOS PXE ROMs (Debian package ipxe)',
      default: DEFAULT_UNDIONLY_PATH,
      pattern: '^/',
      example: '/usr/lib/ipxe/undionly.kpxe',
    },
    'snponly-path': {
      type: 'string',
      description: 'Host path of the iPXE loader served to x86-64 UEFI PXE firmware (Debian package ipxe)',
      default: DEFAULT_SNPONLY_PATH,
      pattern: '^/',
      example: '/usr/lib/ipxe/snponly.efi',
    },
  },
  register(api) {
    api.bootProtocol(ipxeProtocol({ undionlyPath: api.context.settings['undionly-path'], snponlyPath: api.context.settings['snponly-path'] }));
  },
});
