import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BlockSource, TransferContent } from './block-source.js';
import { HttpBootServer } from './http-boot-server.js';

/** A file source that records how its descriptor was closed: by itself, exactly once. */
class RecordingSource implements BlockSource {
  closeResult?: Promise<string>;
  constructor(
    private readonly handle: FileHandle,
    readonly size: number,
  ) {}
  content(): TransferContent {
    return { kind: 'file', fd: this.handle.fd, size: this.size };
  }
  readAll(): Promise<Buffer> {
    return this.handle.readFile();
  }
  close(): void {
    this.closeResult ??= this.handle.close().then(
      () => 'closed',
      (e: NodeJS.ErrnoException) => `close failed: ${e.code}`,
    );
  }
}

async function closed(source: RecordingSource): Promise<string> {
  const end = Date.now() + 10_000;
  while (!source.closeResult && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  return (await source.closeResult) ?? 'never closed';
}

/**
 * The HTTP boot server streams a file whose descriptor the source owns. The stream closed that
 * descriptor too (destroy() closes a stream's fd even with autoClose false): the source's own close
 * then failed with EBADF, or the stream's did after it (an uncaught EBADF the real server logged
 * after a qemu node fetched its initrd), or it closed whatever file had reused the number.
 */
describe('HttpBootServer: the source alone closes the descriptor it lends', () => {
  let dir: string;
  let file: string;
  let server: HttpBootServer;
  let port: number;
  const sources: RecordingSource[] = [];
  const data = Buffer.alloc(8 * 1024 * 1024, 7);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'walt-http-boot-unit-'));
    file = join(dir, 'initrd');
    writeFileSync(file, data);
    const resolver = {
      async resolve() {
        const source = new RecordingSource(await open(file), data.length);
        sources.push(source);
        return { kind: 'data' as const, source };
      },
    };
    server = new HttpBootServer(resolver, () => undefined);
    port = await server.listen('127.0.0.1', 0);
  });

  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a whole download: every byte, then one close, by the source', async () => {
    const got = await new Promise<number>((resolve, reject) => {
      get(`http://127.0.0.1:${port}/boot/initrd`, (res) => {
        let n = 0;
        res.on('data', (c: Buffer) => (n += c.length));
        res.on('end', () => resolve(n));
      }).on('error', reject);
    });
    expect(got).toBe(data.length);
    expect(await closed(sources.at(-1)!)).toBe('closed');
  });

  it('a client gone mid-transfer: the source still closes its descriptor itself, once', async () => {
    await new Promise<void>((resolve, reject) => {
      const req = get(`http://127.0.0.1:${port}/boot/initrd`, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', () => undefined);
      req.on('close', () => resolve());
      setTimeout(() => reject(new Error('no data')), 10_000).unref();
    });
    expect(await closed(sources.at(-1)!)).toBe('closed');
  });
});
