import type { HelpTopic } from '@walt/sdk';

export const RPI_LEGACY_INSTALL_TOPIC: HelpTopic = {
  name: 'install-rpi-legacy',
  title: 'Installing a Raspberry Pi B, B+, 2B or 3B node',
  markdown: `# Installing a Raspberry Pi B, B+, 2B or 3B node (rpi-b, rpi-b-plus, rpi-2-b, rpi-3-b)

These boards cannot boot from the network by themselves: a SD card carries U-Boot and the WalT boot
script. The card is only read; the OS comes from the server.

1. Download \`rpi-sd-files.tar.gz\` from https://github.com/drakkar-lig/walt-project/releases/latest.
2. Extract it onto a SD card with one FAT32 partition.
3. Insert the card, connect the board to walt-net, and power it (or let a PoE splitter power it).

The boot script detects the board (an arm1176 CPU is a B or B+, the board name tells them apart;
otherwise a 2B or 3B) and asks DHCP with the vendor class \`walt.node.<model>\`. The server registers
the node and U-Boot loads \`start.uboot\` from \`/boot/<model>/\` of the node's image. If the server
is unreachable, the script retries until it answers.

For new installations prefer a 3B+ or a 4B, which can also boot without SD card
(\`walt help show install-rpi-3b-plus\`, \`walt help show install-rpi-4b\`).

## Checking it worked

\`walt log show --platform --history -5m:\` shows \`new node ... model=rpi-3-b ...\` and
\`walt node show --all\` lists it free. See \`walt help show node-install\` for the next steps.
`,
};
