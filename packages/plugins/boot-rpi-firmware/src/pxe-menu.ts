/** PXE vendor option (43) sub-option 9: boot menu. */
const PXE_BOOT_MENU = 9;
const END = 255;

/**
 * Option 43 with a PXE boot menu holding one entry (type 0) and its description: what the
 * Raspberry Pi firmware looks for ("Raspberry Pi Boot") before it netboots.
 */
export function pxeMenuOption(description: string, type = 0): Uint8Array {
  const text = new TextEncoder().encode(description);
  if (text.length > 250) throw new RangeError('PXE menu description too long');
  return Uint8Array.from([PXE_BOOT_MENU, text.length + 3, (type >> 8) & 0xff, type & 0xff, text.length, ...text, END]);
}
