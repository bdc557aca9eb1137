import { RPI_FOUNDATION_OUIS } from '@walt/plugin-boot-rpi-firmware';
import { defineNodeModel, type NodeModel } from '@walt/sdk';

const pi4 = (id: string, description: string, poePowered: boolean): NodeModel =>
  defineNodeModel({
    id,
    family: 'rpi',
    description,
    // The firmware netboots before U-Boot identifies the board: recognised by MAC.
    macPrefixes: RPI_FOUNDATION_OUIS,
    bootProtocol: 'rpi-firmware',
    // The 4B family keeps its first stage in EEPROM: no bootcode.bin.
    bootFiles: ['start4.elf', 'fixup4.dat', 'config.txt', 'start.uboot'],
    capabilities: { poePowered, console: false },
  });

export const RPI_4_B = pi4('rpi-4-b', 'Raspberry Pi 4B (firmware netboot once the EEPROM boot order has it, or U-Boot from a SD card)', true);
/** The Pi 400 is a keyboard: no PoE HAT, powered by USB-C. */
export const RPI_400 = pi4('rpi-400', 'Raspberry Pi 400 (keyboard computer, firmware netboot)', false);
