import { mkdtempSync, openSync, closeSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PacketReader } from './packet-reader.js';
import type { TransferContent } from './block-source.js';

const dir = mkdtempSync(join(tmpdir(), 'walt-packet-reader-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fileContent(bytes: Buffer): { content: TransferContent; close: () => void } {
  const path = join(dir, `f-${Math.random().toString(36).slice(2)}`);
  writeFileSync(path, bytes);
  const fd = openSync(path, 'r');
  return { content: { kind: 'file', fd, size: bytes.length }, close: () => closeSync(fd) };
}

/** Read every block the way a transfer does (windows in order) and put the payloads together. */
async function readAll(reader: PacketReader, window: number): Promise<{ data: Buffer; blocks: number[] }> {
  const parts: Buffer[] = [];
  const blocks: number[] = [];
  for (let first = 1; first <= reader.totalBlocks; first += window) {
    const last = Math.min(first + window - 1, reader.totalBlocks);
    await reader.ensure(first, last);
    for (let b = first; b <= last; b++) {
      const p = reader.packet(b);
      expect(p.readUInt16BE(0)).toBe(3);
      blocks.push(p.readUInt16BE(2));
      parts.push(p.subarray(4));
    }
  }
  return { data: Buffer.concat(parts), blocks };
}

const pattern = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 131 + (i >> 8)) & 0xff));

describe('PacketReader', () => {
  it.each([
    ['a file spanning several chunks, windows straddling chunk ends', 3 * 1024 * 1024 + 17, 1468, 7],
    ['a file whose size is a multiple of the block size (final empty block)', 1468 * 600, 1468, 1],
    ['an empty file (one empty block)', 0, 512, 4],
    ['large blocks', 5 * 65464 + 3, 65464, 3],
  ])('%s: every byte, in order, headers numbered', async (_what, size, blockSize, window) => {
    const bytes = pattern(size);
    const f = fileContent(bytes);
    try {
      const reader = new PacketReader(f.content, blockSize, window);
      expect(reader.totalBlocks).toBe(Math.floor(size / blockSize) + 1);
      const { data, blocks } = await readAll(reader, window);
      expect(data.equals(bytes)).toBe(true);
      expect(blocks).toEqual(Array.from({ length: reader.totalBlocks }, (_, i) => (i + 1) & 0xffff));
      await reader.settled();
    } finally {
      f.close();
    }
  });

  it('bytes in memory give the same packets, and block numbers roll over past 65535', async () => {
    const bytes = pattern(70_000 * 8 + 5);
    const reader = new PacketReader({ kind: 'bytes', bytes, size: bytes.length }, 8, 16);
    const { data, blocks } = await readAll(reader, 16);
    expect(data.equals(bytes)).toBe(true);
    expect(blocks[65534]).toBe(65535);
    expect(blocks[65535]).toBe(0);
    expect(blocks[65536]).toBe(1);
  });

  it('retransmitting from an earlier block of the current chunk needs no read', async () => {
    const bytes = pattern(200_000);
    const f = fileContent(bytes);
    try {
      const reader = new PacketReader(f.content, 1000, 8);
      await reader.ensure(1, 8);
      await reader.ensure(9, 16);
      expect(reader.ensure(9, 16)).toBeUndefined();
      expect(reader.packet(12).subarray(4).equals(bytes.subarray(11_000, 12_000))).toBe(true);
      await reader.settled();
    } finally {
      f.close();
    }
  });

  it('a file that shrank while being sent is a read error', async () => {
    const path = join(dir, 'shrinks');
    writeFileSync(path, pattern(10_000));
    const fd = openSync(path, 'r');
    try {
      const reader = new PacketReader({ kind: 'file', fd, size: 50_000 }, 1000, 4);
      await expect(reader.ensure(1, 60)).rejects.toThrow(/shrank/);
      await reader.settled();
    } finally {
      closeSync(fd);
    }
  });
});
