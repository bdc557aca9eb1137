/**
 * The end of a `walt node cp` stream towards a node. A tar stream cut short at a member boundary
 * (a client killed between two files, or before tar's final zero blocks) unpacks without error, so
 * an end of stream alone cannot tell a complete copy. After its tar has exited 0, the client sends a
 * second, tiny tar archive holding one empty file, `.walt-cp-end.<nonce>`; the node unpacks both
 * (`tar -i`: on past the first archive's zero blocks) and only renames the copy into place when that
 * file is there. A truncated stream never holds it; the nonce keeps it apart from the copied name.
 */

const BLOCK = 512;

/** A fresh nonce: 16 hex digits. */
export function copyEndNonce(random: (n: number) => Buffer): string {
  return random(8).toString('hex');
}

/** What the node checks for a nonce (16 to 64 hex digits, refused otherwise). */
export function copyEndMarkerName(nonce: string): string {
  if (!/^[0-9a-f]{16,64}$/.test(nonce)) throw new Error(`invalid copy end nonce '${nonce.slice(0, 70)}'`);
  return `.walt-cp-end.${nonce}`;
}

/** The archive the client sends last: one empty regular file (ustar header), then tar's two zero blocks. */
export function copyEndMarkerArchive(nonce: string): Buffer {
  const out = Buffer.alloc(BLOCK * 3);
  const field = (text: string, at: number, length: number) => out.write(text, at, length, 'ascii');
  const octal = (n: number, at: number, length: number) => field(n.toString(8).padStart(length - 1, '0') + '\0', at, length);
  field(copyEndMarkerName(nonce), 0, 100);
  octal(0o600, 100, 8); // mode
  octal(0, 108, 8); // uid
  octal(0, 116, 8); // gid
  octal(0, 124, 12); // size
  octal(0, 136, 12); // mtime
  field('        ', 148, 8); // checksum counted as spaces
  field('0', 156, 1); // regular file
  field('ustar\u000000', 257, 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += out[i];
  field(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8);
  return out;
}
