import type { FileHandle } from 'node:fs/promises';

/** Where the blocks of a transfer come from: a file read ahead in chunks, or bytes in memory. */
export interface BlockSource {
  readonly size: number;
  /** Make [start, end) readable with slice(); resolves at once when it already is. */
  ensure(start: number, end: number): Promise<void> | undefined;
  /** Bytes [start, end) (end clipped to size); only valid after ensure() covered them. */
  slice(start: number, end: number): Buffer;
  close(): void;
}

export class BufferBlockSource implements BlockSource {
  readonly size: number;
  constructor(private readonly content: Buffer) {
    this.size = content.length;
  }
  ensure(): undefined {
    return undefined;
  }
  slice(start: number, end: number): Buffer {
    return this.content.subarray(start, Math.min(end, this.size));
  }
  close(): void {}
}

/**
 * Reads a file ahead in large chunks, so a transfer costs one read per chunk rather than one per
 * block, and retransmissions of the current window never hit the disk again.
 */
export class FileBlockSource implements BlockSource {
  private chunk: Buffer = Buffer.alloc(0);
  private chunkStart = 0;
  private closed = false;

  constructor(
    private readonly handle: FileHandle,
    readonly size: number,
    private readonly chunkSize = 1 << 20,
  ) {}

  ensure(start: number, end: number): Promise<void> | undefined {
    end = Math.min(end, this.size);
    if (start >= this.chunkStart && end <= this.chunkStart + this.chunk.length) return undefined;
    return this.load(start, end);
  }

  private async load(start: number, end: number): Promise<void> {
    const length = Math.min(Math.max(this.chunkSize, end - start), this.size - start);
    const buf = Buffer.allocUnsafe(length);
    let got = 0;
    while (got < length) {
      const { bytesRead } = await this.handle.read(buf, got, length - got, start + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    if (got < end - start) throw new Error('file shrank while being sent');
    this.chunk = buf.subarray(0, got);
    this.chunkStart = start;
  }

  slice(start: number, end: number): Buffer {
    end = Math.min(end, this.size);
    return this.chunk.subarray(start - this.chunkStart, end - this.chunkStart);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    void this.handle.close().catch(() => undefined);
  }
}

/** Netascii (RFC 764): LF becomes CR LF and a lone CR becomes CR NUL. */
export function toNetascii(content: Buffer): Buffer {
  const out: number[] = [];
  for (const byte of content) {
    if (byte === 0x0a) out.push(0x0d, 0x0a);
    else if (byte === 0x0d) out.push(0x0d, 0x00);
    else out.push(byte);
  }
  return Buffer.from(out);
}
