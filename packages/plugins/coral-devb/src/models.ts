import { defineNodeModel } from '@walt/sdk';

/** Model id as the original WalT (the boot archive is named coral-devb-boot.tar.gz, the model is not). */
export const CORAL_DEV_BOARD = defineNodeModel({
  id: 'coral-dev-board',
  family: 'coral',
  description: 'Google Coral Dev Board (its U-Boot runs the WalT boot script from /boot)',
  bootProtocol: 'uboot',
  bootFiles: ['start.uboot'],
  capabilities: { poePowered: true, console: false },
});
