import { readv } from 'node:fs';
import type { TransferContent } from './block-source.js';
import { OP } from './tftp-packets.js';

/** Bytes of file data per read-ahead chunk (two chunks live per transfer at most). */
const CHUNK_BYTES = 512 * 1024;
/** preadv takes at most IOV_MAX (1024 on Linux) buffers per call. */
const IOV_MAX = 1024;

/** A run of consecutive DATA packets, laid out back to back: [header|payload][header|payload]... */
interface Chunk {
  /** First block (absolute, from 1) and one past the last. */
  first: number;
  end: number;
  buf: Buffer;
  ready: boolean;
  loading?: Promise<void>;
}

/**
 * The DATA packets of one transfer, built straight from the file: each chunk is read with preadv
 * into a buffer that leaves 4 header bytes before every block, so a packet is a view of the
 * chunk (no per-block read, copy or allocation beyond the view). The next chunk is read ahead
 * while the current one is being sent. Retransmissions never touch the disk again: a chunk is
 * dropped only once every block in it is acknowledged.
 */
export class PacketReader {
  readonly totalBlocks: number;
  private readonly stride: number;
  private readonly blocksPerChunk: number;
  private current: Chunk | undefined;
  private next: Chunk | undefined;
  private inFlight = 0;
  private settledWaiters: Array<() => void> = [];
  /** A read failed: the transfer reports it on its next ensure(). */
  private failure: Error | undefined;

  constructor(
    private readonly content: TransferContent,
    private readonly blockSize: number,
    windowSize: number,
  ) {
    this.totalBlocks = Math.floor(content.size / blockSize) + 1;
    this.stride = blockSize + 4;
    this.blocksPerChunk = Math.max(windowSize, Math.floor(CHUNK_BYTES / blockSize), 1);
  }

  get size(): number {
    return this.content.size;
  }

  /**
   * Make blocks [first, last] available to packet(); undefined when they already are, else a
   * promise (rejected on a read error). Starts reading the next chunk ahead when useful.
   */
  ensure(first: number, last: number): Promise<void> | undefined {
    if (this.failure) return Promise.reject(this.failure);
    last = Math.min(last, this.totalBlocks);
    if (this.current && first >= this.current.end && this.next && this.next.first === this.current.end) {
      this.current = this.next;
      this.next = undefined;
    }
    if (!this.current || first < this.current.first || first >= this.current.end) {
      this.current = this.load(first);
      this.next = undefined;
    }
    const cur = this.current;
    const half = cur.first + ((cur.end - cur.first) >> 1);
    if (!this.next && cur.end <= this.totalBlocks && (last >= cur.end || first >= half)) this.next = this.load(cur.end);
    const waits: Promise<void>[] = [];
    if (!cur.ready) waits.push(cur.loading!);
    if (last >= cur.end && this.next && !this.next.ready) waits.push(this.next.loading!);
    if (waits.length === 0) return undefined;
    return Promise.all(waits).then(() => {
      if (this.failure) throw this.failure;
    });
  }

  /** The whole DATA packet of a block; only valid after ensure() covered it. */
  packet(block: number): Buffer {
    const chunk = block < this.current!.end ? this.current! : this.next!;
    const offset = (block - chunk.first) * this.stride;
    const length = block === this.totalBlocks ? this.content.size - (block - 1) * this.blockSize : this.blockSize;
    return chunk.buf.subarray(offset, offset + 4 + length);
  }

  /** Resolves once no read is in flight (the owner may then close the descriptor). */
  settled(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((r) => this.settledWaiters.push(r));
  }

  private load(first: number): Chunk {
    const end = Math.min(first + this.blocksPerChunk, this.totalBlocks + 1);
    const buf = Buffer.allocUnsafe((end - first) * this.stride);
    const chunk: Chunk = { first, end, buf, ready: false };
    const payloads: Buffer[] = [];
    for (let b = first; b < end; b++) {
      const offset = (b - first) * this.stride;
      buf.writeUInt16BE(OP.DATA, offset);
      buf.writeUInt16BE(b & 0xffff, offset + 2);
      const length = b === this.totalBlocks ? this.content.size - (b - 1) * this.blockSize : this.blockSize;
      if (length > 0) payloads.push(buf.subarray(offset + 4, offset + 4 + length));
    }
    const position = (first - 1) * this.blockSize;
    if (this.content.kind === 'bytes') {
      let at = position;
      for (const p of payloads) {
        p.set(this.content.bytes.subarray(at, at + p.length));
        at += p.length;
      }
      chunk.ready = true;
      return chunk;
    }
    this.inFlight++;
    chunk.loading = readFully(this.content.fd, payloads, position).then(
      () => {
        chunk.ready = true;
        this.readDone();
      },
      (e: Error) => {
        this.failure = e;
        this.readDone();
      },
    );
    return chunk;
  }

  private readDone(): void {
    if (--this.inFlight > 0) return;
    const waiters = this.settledWaiters;
    this.settledWaiters = [];
    for (const w of waiters) w();
  }
}

/** preadv into `buffers` from `position` until all are full; a short file is an error. */
async function readFully(fd: number, buffers: Buffer[], position: number): Promise<void> {
  let pending = buffers;
  while (pending.length > 0) {
    const batch = pending.slice(0, IOV_MAX);
    const want = batch.reduce((n, b) => n + b.length, 0);
    const got = await new Promise<number>((resolve, reject) => readv(fd, batch, position, (e, n) => (e ? reject(e) : resolve(n))));
    if (got === 0) throw new Error('file shrank while being sent');
    position += got;
    if (got === want) {
      pending = pending.slice(batch.length);
      continue;
    }
    // Short read: skip the buffers filled, keep the rest of the partly filled one.
    let skip = got;
    let i = 0;
    while (skip >= pending[i].length) skip -= pending[i++].length;
    pending = [pending[i].subarray(skip), ...pending.slice(i + 1)];
  }
}
