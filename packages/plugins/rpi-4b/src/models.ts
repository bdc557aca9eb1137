import { defineNodeModel, type NodeModel } from '@walt/sdk';

/** Raspberry Pi Foundation / Raspberry Pi Ltd OUIs: the firmware netboots before U-Boot identifies the board. */
export const RPI_OUIS = ['28:cd:c1', 'b8:27:eb', 'd8:3a:dd', 'dc:a6:32', 'e4:5f:01', '2c:cf:67', '88:a2:9e'] as const;

const pi4 = (id: string, description: string, poePowered: boolean): NodeModel =>
  defineNodeModel({
    id,
    family: 'rpi',
    description,
    macPrefixes: RPI_OUIS,
    bootProtocol: 'rpi-firmware',
    // The 4B family keeps its first stage in EEPROM: no bootcode.bin.
    bootFiles: ['start4.elf', 'fixup4.dat', 'config.txt', 'start.uboot'],
    capabilities: { poePowered, console: false },
  });

export const RPI_4_B = pi4('rpi-4-b', 'Raspberry Pi 4B (firmware netboot once the EEPROM boot order has it, or U-Boot from a SD card)', true);
/** The Pi 400 is a keyboard: no PoE HAT, powered by USB-C. */
export const RPI_400 = pi4('rpi-400', 'Raspberry Pi 400 (keyboard computer, firmware netboot)', false);
