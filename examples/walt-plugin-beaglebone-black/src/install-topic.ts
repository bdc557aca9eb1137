import type { HelpTopic } from '@walt/sdk';

/** `walt help show install-beaglebone-black`: installing the plugin, then a board. */
export const INSTALL_TOPIC: HelpTopic = {
  name: 'install-beaglebone-black',
  title: 'Installing a BeagleBone Black node',
  markdown: `# Installing a BeagleBone Black node (beaglebone-black)

## 1. Install the plugin on the server

    walt-server plugins add walt-plugin-beaglebone-black

then restart the server. \`walt-server plugins list\` shows the plugin loaded, with the node model
\`beaglebone-black\`.

## 2. Prepare the board

The BeagleBone Black boots U-Boot from its eMMC or from a SD card. Stop U-Boot at its prompt (serial
console, 115200 bauds) and make it boot from the network, announcing its model to the WalT server:

    setenv bootp_vci walt.node.beaglebone-black
    setenv autoload no
    setenv bootcmd 'dhcp; tftpboot \${scriptaddr} start.uboot; source \${scriptaddr}'
    saveenv

## 3. Connect it

Plug its Ethernet port into walt-net and power it. The server registers it as a node of model
\`beaglebone-black\` and boots it on \`waltplatform/beaglebone-black-default:latest\`; U-Boot loads
\`start.uboot\` from \`/boot/beaglebone-black/\` of the node's image.

## Checking it worked

\`walt log show --platform --history -5m:\` shows the new node and \`walt node show --all\` lists it.
This board is not powered through its switch port, so \`walt node reboot --hard\` is not available.
`,
};
