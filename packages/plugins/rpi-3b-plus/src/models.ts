import { RPI_FOUNDATION_OUIS } from '@walt/plugin-boot-rpi-firmware';
import { defineNodeModel } from '@walt/sdk';

export const RPI_3_B_PLUS = defineNodeModel({
  id: 'rpi-3-b-plus',
  family: 'rpi',
  description: 'Raspberry Pi 3B+ (firmware netboot, or U-Boot from a SD card)',
  // The firmware netboots before U-Boot identifies the board: recognised by MAC.
  macPrefixes: RPI_FOUNDATION_OUIS,
  bootProtocol: 'rpi-firmware',
  bootFiles: ['bootcode.bin', 'start.elf', 'fixup.dat', 'config.txt', 'start.uboot'],
  capabilities: { poePowered: true, console: false },
});
