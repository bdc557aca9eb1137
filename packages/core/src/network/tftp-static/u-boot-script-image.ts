import { crc32 } from 'node:zlib';

const IH_MAGIC = 0x27051956;
const IH_OS_LINUX = 5;
const IH_ARCH_ARM64 = 22;
const IH_TYPE_SCRIPT = 6;
const IH_COMP_NONE = 0;
const HEADER_SIZE = 64;

/**
 * A U-Boot script wrapped as a legacy uImage (what `mkimage -A arm64 -T script -C none` writes), so
 * that U-Boot's `source` runs it: a 64-byte big-endian header with CRC32s, then the multi-file
 * payload (one length, a zero terminator, the script).
 */
export function uBootScriptImage(script: string, name: string, time = Math.floor(Date.now() / 1000)): Buffer {
  const text = Buffer.from(script, 'utf8');
  const data = Buffer.alloc(8 + text.length);
  data.writeUInt32BE(text.length, 0);
  data.writeUInt32BE(0, 4);
  text.copy(data, 8);
  const header = Buffer.alloc(HEADER_SIZE);
  header.writeUInt32BE(IH_MAGIC, 0);
  header.writeUInt32BE(time >>> 0, 8);
  header.writeUInt32BE(data.length, 12);
  header.writeUInt32BE(0, 16); // load address
  header.writeUInt32BE(0, 20); // entry point
  header.writeUInt32BE(crc32(data) >>> 0, 24);
  header.writeUInt8(IH_OS_LINUX, 28);
  header.writeUInt8(IH_ARCH_ARM64, 29);
  header.writeUInt8(IH_TYPE_SCRIPT, 30);
  header.writeUInt8(IH_COMP_NONE, 31);
  header.write(name.slice(0, 31), 32, 'ascii');
  header.writeUInt32BE(crc32(header) >>> 0, 4);
  return Buffer.concat([header, data]);
}
