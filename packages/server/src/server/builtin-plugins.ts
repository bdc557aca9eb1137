/** The plugins shipped with WalT. They load first and fail fast: a broken built-in stops the server. */
export const BUILTIN_PLUGINS: readonly string[] = [
  // Switch drivers: vendor drivers are probed before the standard one (see core switches/switch-drivers.ts).
  '@walt/plugin-switch-tplink',
  '@walt/plugin-switch-netgear',
  '@walt/plugin-switch-standard',
  // Boot protocols (claim order is their own `order`), then the node models that use them.
  '@walt/plugin-boot-ipxe',
  '@walt/plugin-boot-rpi-firmware',
  '@walt/plugin-boot-uboot',
  '@walt/plugin-pc-x86',
  '@walt/plugin-rpi-3b-plus',
  '@walt/plugin-rpi-4b',
  '@walt/plugin-rpi-legacy',
  '@walt/plugin-coral-devb',
  // Runs virtual nodes (walt node create); their model pc-x86-64 comes from @walt/plugin-pc-x86.
  '@walt/plugin-virtual',
];
