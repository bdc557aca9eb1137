import { currentUbootName } from '@walt/plugin-boot-uboot';
import { defineBootProtocol, imageBootPath, modelFromClasses, type BootProtocol } from '@walt/sdk';
import { pxeMenuOption } from './pxe-menu.js';
import { isRaspberryPiMac } from './rpi-ouis.js';

export const RPI_FIRMWARE_PROTOCOL_ID = 'rpi-firmware';
export const RPI_BOOT_MENU = 'Raspberry Pi Boot';

/** The firmware, its configuration and U-Boot, for the 3B, 3B+, 4B and 400 (walt-server-setup --tftp-static). */
export const RPI_STATIC_FILES = ['bootcode.bin', 'start.elf', 'fixup.dat', 'start4.elf', 'fixup4.dat', 'config.txt', 'u-boot-rpi-3-b.img', 'u-boot-rpi-4-b.img'] as const;

export interface RpiFirmwareOptions {
  /** Folder served to boards not registered yet; the server's `<data dir>/tftp-static` by default. */
  staticDir?: string;
}

/**
 * Raspberry Pi 3B+/4B/400 firmware netboot, without SD card. The firmware asks DHCP with vendor
 * class PXEClient; the reply must echo "PXEClient" and carry the PXE menu "Raspberry Pi Boot" in
 * option 43. A board not registered yet (the 3B+ firmware never completes the DHCP handshake) gets
 * its firmware files and U-Boot from the static boot folder; U-Boot then asks DHCP with
 * `walt.node.<model>`, which registers it, and from then on its files come from its image.
 */
export function rpiFirmwareProtocol(options: RpiFirmwareOptions = {}): BootProtocol {
  const menu = pxeMenuOption(RPI_BOOT_MENU);
  return defineBootProtocol({
    id: RPI_FIRMWARE_PROTOCOL_ID,
    description: 'Raspberry Pi firmware netboot: vendor class PXEClient, option 43 "Raspberry Pi Boot", static files until the board identifies itself',
    order: 20,
    // What a board not registered yet fetches before U-Boot identifies it (unless static-dir is the plugin's own).
    ...(options.staticDir ? {} : { staticFiles: RPI_STATIC_FILES }),
    claims: (request) => !!request.vendorClass?.startsWith('PXEClient') && isRaspberryPiMac(request.mac) && modelFromClasses(request) === undefined,
    reply: () => ({ vendorClass: 'PXEClient', vendorOptions: menu }),
    resolveTftp: (ctx) => {
      // The firmware starts U-Boot, whose requests (old SD cards' names included) follow U-Boot's naming.
      if (ctx.node) return { kind: 'image', path: imageBootPath(ctx.node.model, currentUbootName(ctx.name)) };
      // Free addresses and unknown Raspberry Pi boards: the static boot folder ("probing").
      if (!ctx.device || (ctx.device.type === 'unknown' && isRaspberryPiMac(ctx.device.mac))) {
        return { kind: 'static', root: options.staticDir ?? ctx.staticDir, path: ctx.name };
      }
      return undefined;
    },
  });
}
