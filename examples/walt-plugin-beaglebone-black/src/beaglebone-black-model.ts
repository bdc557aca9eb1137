import { defineNodeModel } from '@walt/sdk';

export const BEAGLEBONE_BLACK_ID = 'beaglebone-black';

/**
 * The BeagleBone Black (TI AM335x, Cortex-A8). Its U-Boot sends the DHCP vendor class
 * `walt.node.beaglebone-black`, so no MAC prefix is needed to recognise it; the server's `uboot`
 * boot protocol then serves `start.uboot` from `/boot/beaglebone-black/` of the node's image.
 */
export const BEAGLEBONE_BLACK = defineNodeModel({
  id: BEAGLEBONE_BLACK_ID,
  family: 'beaglebone',
  description: 'BeagleBone Black (TI AM335x), network-booted by U-Boot',
  bootProtocol: 'uboot',
  defaultImage: 'waltplatform/beaglebone-black-default:latest',
  bootFiles: ['start.uboot'],
  // Powered by its 5 V barrel jack or USB, not by PoE: no hard reboot through the switch.
  capabilities: { poePowered: false, console: false },
});
