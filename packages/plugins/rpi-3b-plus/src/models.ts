import { defineNodeModel } from '@walt/sdk';

/** Raspberry Pi Foundation / Raspberry Pi Ltd OUIs: the firmware netboots before U-Boot identifies the board. */
export const RPI_OUIS = ['28:cd:c1', 'b8:27:eb', 'd8:3a:dd', 'dc:a6:32', 'e4:5f:01', '2c:cf:67', '88:a2:9e'] as const;

export const RPI_3_B_PLUS = defineNodeModel({
  id: 'rpi-3-b-plus',
  family: 'rpi',
  description: 'Raspberry Pi 3B+ (firmware netboot, or U-Boot from a SD card)',
  macPrefixes: RPI_OUIS,
  bootProtocol: 'rpi-firmware',
  bootFiles: ['bootcode.bin', 'start.elf', 'fixup.dat', 'config.txt', 'start.uboot'],
  capabilities: { poePowered: true, console: false },
});
