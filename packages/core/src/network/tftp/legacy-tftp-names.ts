/**
 * Names old WalT boot media still ask for, mapped as the original's tftpd map file does before
 * anything else resolves them: every `boot/rpi-<model>.uboot` is the node's start.uboot, and
 * `boot/pc-x86-64.ipxe` its start.ipxe (SD cards and USB sticks flashed for older servers). Names
 * with "undionly" stay as they are: the iPXE protocol serves its loader for all of them.
 */
const LEGACY_NAMES: Array<[RegExp, string]> = [
  [/^boot\/rpi-[^/]*\.uboot$/, 'start.uboot'],
  [/^boot\/pc-x86-64\.ipxe$/, 'start.ipxe'],
];

export function currentTftpName(name: string): string {
  for (const [legacy, current] of LEGACY_NAMES) if (legacy.test(name)) return current;
  return name;
}
