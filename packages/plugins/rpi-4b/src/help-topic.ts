import type { HelpTopic } from '@walt/sdk';

export const RPI_4B_INSTALL_TOPIC: HelpTopic = {
  name: 'install-rpi-4b',
  title: 'Installing a Raspberry Pi 4B or Pi 400 node (rpi-4-b, rpi-400)',
  markdown: `# Installing a Raspberry Pi 4B or Pi 400 node (rpi-4-b, rpi-400)

## Network boot, without SD card

The 4B and the Pi 400 netboot from their EEPROM firmware, if its boot order has network boot. On a
display, the boot diagnosis screen prints the boot order: \`0xf41\` means no network boot (network
is digit \`2\`). Then boot the board once with a WalT SD card (below): its boot files flash the EEPROM
with the order "network, then SD card, then restart".

Once network boot is enabled: connect the board to walt-net and power it (a PoE HAT, or a compact PoE
splitter with a USB-C connector for the 4B; the Pi 400 is powered by USB-C). The server recognises
the Raspberry Pi MAC prefix, answers the firmware with the "Raspberry Pi Boot" PXE menu and serves its
firmware and U-Boot from the static boot folder (\`tftp-static\` in the data directory: \`start4.elf\`,
\`fixup4.dat\`, \`config.txt\`, \`bcm2711-rpi-4-b.dtb\`, \`bcm2711-rpi-400.dtb\`, \`u-boot-rpi-4-b.img\`).
U-Boot then asks DHCP as \`walt.node.rpi-4-b\` (or \`walt.node.rpi-400\`), which registers the node.

## With a SD card

Download \`rpi-sd-files.tar.gz\` from https://github.com/drakkar-lig/walt-project/releases/latest,
extract it onto a SD card with one FAT32 partition, insert it, connect the board and power it.

The first boot with this card flashes the EEPROM, and the firmware renames \`recovery.bin\` to
\`RECOVERY.000\` so it does not flash again. To reuse the card for another board's EEPROM, rename
\`RECOVERY.000\` back to \`recovery.bin\` first.

## Which one?

Without SD card nothing wears out, but the firmware may hang when the server is unreachable during
boot: WalT can power-cycle the board only through a PoE switch it controls. With a SD card the boot
script retries by itself. So: PoE switches WalT controls → no SD card; otherwise → SD card.

## Checking it worked

\`walt log show --platform --history -5m:\` shows \`new node ... model=rpi-4-b ...\`; \`walt node show --all\`
lists it free. See \`walt help show node-install\` for the next steps.
`,
};
