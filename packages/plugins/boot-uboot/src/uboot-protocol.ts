import { defineBootProtocol, imageBootPath, modelFromClasses, type BootProtocol } from '@walt/sdk';

export const UBOOT_PROTOCOL_ID = 'uboot';

/** Old bootloaders ask for `boot/rpi-<x>.uboot`; it is the same file as start.uboot (tftpd-hpa remap). */
const LEGACY_UBOOT_NAME = /^boot\/rpi-[^/]*\.uboot$/;

/** The name U-Boot's request means today: `boot/rpi-<x>.uboot` of old SD cards is start.uboot. */
export function currentUbootName(name: string): string {
  return LEGACY_UBOOT_NAME.test(name) ? 'start.uboot' : name;
}

/**
 * U-Boot nodes: their boot script sets the DHCP vendor class (or user class) to
 * `walt.node.<model>`, then fetches `start.uboot` by TFTP, which the server takes from the node's
 * image at `/boot/<model>/start.uboot` (and every later file from the same folder).
 */
export function ubootProtocol(): BootProtocol {
  return defineBootProtocol({
    id: UBOOT_PROTOCOL_ID,
    description: 'U-Boot: DHCP class walt.node.<model>, TFTP files from the image folder /boot/<model>/',
    // After the firmware protocols (iPXE, Raspberry Pi), which recognise more specific requests.
    order: 50,
    claims: (request) => modelFromClasses(request) !== undefined,
    // U-Boot's script knows what to fetch; the reply only needs the server (next-server, option 66).
    reply: () => ({}),
    identify: (request) => modelFromClasses(request),
    resolveTftp: (ctx) => {
      if (!ctx.node) return undefined;
      const name = currentUbootName(ctx.name);
      return { kind: 'image', path: imageBootPath(ctx.node.model, name) };
    },
  });
}
