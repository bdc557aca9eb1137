import type { FileHandle } from 'node:fs/promises';

/**
 * What a transfer sends, in a form that can cross to a worker thread: an open file descriptor
 * (descriptors are shared by all threads of the process) or bytes in memory.
 */
export type TransferContent = { kind: 'file'; fd: number; size: number } | { kind: 'bytes'; bytes: Uint8Array; size: number };

/**
 * The main thread's side of what a transfer sends. It owns the file descriptor: close() runs only
 * once the thread that sent the blocks has reported the transfer over (and its reads settled).
 */
export interface BlockSource {
  readonly size: number;
  content(): TransferContent;
  /** The whole content (netascii conversion). */
  readAll(): Promise<Buffer>;
  close(): void;
}

export class BufferBlockSource implements BlockSource {
  readonly size: number;
  constructor(private readonly bytes: Buffer) {
    this.size = bytes.length;
  }
  content(): TransferContent {
    return { kind: 'bytes', bytes: this.bytes, size: this.size };
  }
  async readAll(): Promise<Buffer> {
    return this.bytes;
  }
  close(): void {}
}

export class FileBlockSource implements BlockSource {
  private closed = false;
  constructor(
    private readonly handle: FileHandle,
    readonly size: number,
  ) {}
  content(): TransferContent {
    return { kind: 'file', fd: this.handle.fd, size: this.size };
  }
  async readAll(): Promise<Buffer> {
    const buf = Buffer.allocUnsafe(this.size);
    let got = 0;
    while (got < this.size) {
      const { bytesRead } = await this.handle.read(buf, got, this.size - got, got);
      if (bytesRead === 0) throw new Error('file shrank while being read');
      got += bytesRead;
    }
    return buf;
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
