import type { HelpTopic } from '@walt/sdk';

export const RPI_3B_PLUS_INSTALL_TOPIC: HelpTopic = {
  name: 'install-rpi-3b-plus',
  title: 'Installing a Raspberry Pi 3B+ node (rpi-3-b-plus)',
  markdown: `# Installing a Raspberry Pi 3B+ node (rpi-3-b-plus)

## Without SD card (recommended with PoE)

A 3B+ netboots from its firmware: connect it to walt-net and power it (PoE HAT, or a compact PoE
splitter with a USB micro-B connector). Nothing else is needed.

What happens: the firmware asks DHCP as a PXE client; the server recognises the Raspberry Pi MAC
prefix and answers with the "Raspberry Pi Boot" PXE menu. The firmware, then U-Boot, are fetched by
TFTP from the server's static boot folder (\`tftp-static\` in the server's data directory). U-Boot
asks DHCP again as \`walt.node.rpi-3-b-plus\`, which registers the node, and loads \`start.uboot\`
from \`/boot/rpi-3-b-plus/\` of the node's image.

The static boot folder must hold the firmware (\`bootcode.bin\`, \`start.elf\`, \`fixup.dat\`,
\`config.txt\`, \`bcm2710-rpi-3-b-plus.dtb\`) and \`u-boot-rpi-3-b.img\`, as in the \`tftp-static\` set of
walt-node-boot. Another folder can be set with the \`static-dir\` setting of @walt/plugin-boot-rpi-firmware.

## With a SD card

Download \`rpi-sd-files.tar.gz\` from https://github.com/drakkar-lig/walt-project/releases/latest,
extract it onto a SD card with one FAT32 partition, insert the card, connect the board to walt-net and
power it. The card is only read: the OS still comes from the server.

## Which one?

Without SD card there is nothing to wear out, but the firmware may hang if the server is unreachable
while it boots; WalT can then power-cycle the board only if it is PoE-powered by a switch WalT
controls. With a SD card, the boot script retries until the server answers. So: PoE switches WalT
controls → no SD card; otherwise → SD card.

## Checking it worked

\`walt log show --platform --history -5m:\` shows \`new node name=node-xxxxxx model=rpi-3-b-plus ...\`
and \`walt node show --all\` lists it free. See \`walt help show node-install\` for the next steps.
`,
};
