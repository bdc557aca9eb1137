import { Writable } from 'node:stream';

/**
 * Writes each complete line to `out` with a prefix (`walt node run` over several nodes: one line of
 * one node is never cut by another's). The partial last line waits for its end, or for end().
 * Backpressure is `out`'s: write's callback waits for its drain.
 */
export class LinePrefixer extends Writable {
  private partial: Buffer = Buffer.alloc(0);

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly prefix: string,
  ) {
    super();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const data = this.partial.length ? Buffer.concat([this.partial, chunk]) : chunk;
    const last = data.lastIndexOf(0x0a);
    if (last < 0) {
      this.partial = data;
      return callback();
    }
    this.partial = Buffer.from(data.subarray(last + 1));
    const lines = data.subarray(0, last).toString('utf8').split('\n');
    const text = lines.map((l) => this.prefix + l.replace(/\r$/, '')).join('\n') + '\n';
    if (this.out.write(text)) callback();
    else this.out.once('drain', () => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (this.partial.length) this.out.write(this.prefix + this.partial.toString('utf8') + '\n');
    this.partial = Buffer.alloc(0);
    callback();
  }
}
