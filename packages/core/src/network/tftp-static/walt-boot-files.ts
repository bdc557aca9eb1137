import { uBootScriptImage } from './u-boot-script-image.js';

/**
 * The WalT files of tftp-static that chain a board's firmware to U-Boot and U-Boot to WalT.
 *
 * config.txt: the firmware loads U-Boot as its "kernel", in 64-bit mode, with the UART and the
 * watchdog on (newest boards first: an old firmware that ignores a newer section is overridden by
 * its own one read after it).
 */
export const WALT_CONFIG_TXT = `# WalT: Raspberry Pi firmware netboot chains to U-Boot (tftp-static, built by walt-server-setup --tftp-static)
enable_uart=1
dtparam=watchdog=on
[pi4]
arm_64bit=1
kernel=u-boot-rpi-4-b.img
[pi3+]
arm_64bit=1
kernel=u-boot-rpi-3-b.img
[pi3]
arm_64bit=1
kernel=u-boot-rpi-3-b.img
[all]
`;

export const WALT_CMDLINE_TXT = 'console=serial0,115200 console=tty1\n';

/**
 * Debian's U-Boot runs its standard boot sequence, whose network step fetches this script
 * (`boot.scr.uimg`). It names the board from the device tree the firmware chose
 * (broadcom/bcm2837-rpi-3-b-plus.dtb gives rpi-3-b-plus), asks DHCP again with the vendor class
 * walt.node.<model> (which registers the node) and runs the node's start.uboot from its image.
 * When anything fails the board resets and tries again, as WalT boards do while the server is away.
 */
export const WALT_UBOOT_SCRIPT = `# WalT: identify this board to the WalT server, then run the boot script of its image
setexpr walt_model sub ".*/" "" "\${fdtfile}"
setexpr walt_model sub "^bcm[0-9]*-" "" "\${walt_model}"
setexpr walt_model sub "\\\\.dtb$" "" "\${walt_model}"
setenv bootp_vci walt.node.\${walt_model}
if dhcp \${scriptaddr} start.uboot; then source \${scriptaddr} || reset; else reset; fi
`;

/** The script as U-Boot's `dhcp` boot step fetches it. */
export function waltUBootScriptImage(): Buffer {
  return uBootScriptImage(WALT_UBOOT_SCRIPT, 'WalT node identification');
}

/** The names the distro boot step of U-Boot fetches, in tftp-static. */
export const UBOOT_SCRIPT_NAME = 'boot.scr.uimg';
