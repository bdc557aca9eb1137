/**
 * MAC prefixes of the Raspberry Pi Foundation / Raspberry Pi Ltd (zero-padded, lowercase). The one
 * owner of this fact: the firmware protocol claims these MACs, and the Raspberry Pi node models
 * (@walt/plugin-rpi-3b-plus, @walt/plugin-rpi-4b) declare them as their macPrefixes from here.
 */
export const RPI_FOUNDATION_OUIS: readonly string[] = Object.freeze(['28:cd:c1', 'b8:27:eb', 'd8:3a:dd', 'dc:a6:32', 'e4:5f:01', '2c:cf:67', '88:a2:9e']);

export function isRaspberryPiMac(mac: string): boolean {
  const m = mac.toLowerCase();
  return RPI_FOUNDATION_OUIS.some((oui) => m.startsWith(`${oui}:`));
}
