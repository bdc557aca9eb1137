import { defineNodeModel, type NodeModel } from '@walt/sdk';

/**
 * Boards whose firmware cannot netboot: a SD card carries U-Boot and the WalT boot script, which
 * detects the board and sends `walt.node.<model>` (arm1176 → rpi-b or rpi-b-plus, else rpi-2-b or rpi-3-b).
 */
const legacy = (id: string, description: string): NodeModel =>
  defineNodeModel({
    id,
    family: 'rpi',
    description,
    bootProtocol: 'uboot',
    bootFiles: ['start.uboot'],
    capabilities: { poePowered: true, console: false },
  });

export const RPI_B = legacy('rpi-b', 'Raspberry Pi model B (U-Boot from a SD card)');
export const RPI_B_PLUS = legacy('rpi-b-plus', 'Raspberry Pi model B+ (U-Boot from a SD card)');
export const RPI_2_B = legacy('rpi-2-b', 'Raspberry Pi 2B (U-Boot from a SD card)');
export const RPI_3_B = legacy('rpi-3-b', 'Raspberry Pi 3B (U-Boot from a SD card)');
