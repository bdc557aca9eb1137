import type { HelpTopic } from '@walt/sdk';

export const CORAL_INSTALL_TOPIC: HelpTopic = {
  name: 'install-coral-devb',
  title: 'Installing a Google Coral Dev Board node (coral-dev-board)',
  markdown: `# Installing a Google Coral Dev Board node (coral-dev-board)

The Coral Dev Board keeps its own U-Boot on eMMC; WalT replaces its boot script so that U-Boot boots
from the network.

1. Follow the standard startup procedure at https://coral.ai/docs/dev-board/get-started.
2. On the board, with internet access:

   \`\`\`
   cd /tmp
   wget https://github.com/drakkar-lig/walt-project/releases/latest/download/coral-devb-boot.tar.gz
   cd /boot
   mv boot.scr boot.scr.orig
   tar xfz /tmp/coral-devb-boot.tar.gz
   \`\`\`

3. Connect the board to walt-net and power it (for PoE, a compact PoE splitter with a USB-C connector).

The new boot script asks DHCP with the vendor class \`walt.node.coral-dev-board\`; the server
registers the node and U-Boot loads \`start.uboot\` from \`/boot/coral-dev-board/\` of the node's
image. To give the board back its own OS, restore \`/boot/boot.scr.orig\` as \`/boot/boot.scr\`.

## Checking it worked

\`walt log show --platform --history -5m:\` shows \`new node ... model=coral-dev-board ...\` and
\`walt node show --all\` lists it free. See \`walt help show node-install\` for the next steps.
`,
};
