/**
 * The frames of a WalT session (docs/decisions/0019-session-transport.md). Each frame is
 * `type (1 byte) | payload length (4 bytes, big endian) | payload`.
 */
export const FrameType = {
  /** client -> server: bytes for the remote command's stdin. */
  stdin: 0,
  /** server -> client: the remote command's stdout. */
  stdout: 1,
  /** server -> client: the remote command's stderr. */
  stderr: 2,
  /** client -> server: JSON {cols, rows}, the terminal's new size. */
  resize: 3,
  /** client -> server: a signal name without SIG (INT, TERM, HUP...) for the remote command. */
  signal: 4,
  /** client -> server: stdin has ended (no payload). */
  eof: 5,
  /** server -> client: JSON {status, signal?}: the remote command ended; the last frame. */
  exit: 6,
  /** server -> client: one line (UTF-8) saying why the session failed; the last frame. */
  error: 7,
} as const;
export type FrameType = (typeof FrameType)[keyof typeof FrameType];

export interface Frame {
  type: FrameType;
  payload: Buffer;
}

/** The largest payload accepted: senders split data into frames of at most this size. */
export const MAX_FRAME_PAYLOAD = 1 << 20;
const HEADER = 5;

export function encodeFrameHeader(type: FrameType, length: number): Buffer {
  const header = Buffer.allocUnsafe(HEADER);
  header[0] = type;
  header.writeUInt32BE(length, 1);
  return header;
}

export function encodeFrame(type: FrameType, payload: Buffer = Buffer.alloc(0)): Buffer {
  return Buffer.concat([encodeFrameHeader(type, payload.length), payload]);
}

export class FrameError extends Error {}

/** Frames whose payload is a stream's bytes: they may be delivered in pieces. */
const STREAM_TYPES: ReadonlySet<number> = new Set([FrameType.stdin, FrameType.stdout, FrameType.stderr]);

/**
 * Splits a byte stream into frames. The payload of a stdin, stdout or stderr frame is delivered as
 * it arrives, in pieces (frames of the same type, slices of the received chunks: a bulk copy is
 * never copied nor gathered here); a control frame (resize, signal, eof, exit, error) comes whole.
 * Holds at most one partial control frame (<= MAX_FRAME_PAYLOAD + 5 bytes).
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** The stream frame being delivered: its type and the bytes still to come. */
  private streaming?: { type: FrameType; left: number };

  push(chunk: Buffer): void {
    if (!chunk.length) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /** The next frame (or piece of a stream frame), or undefined when more bytes are needed; FrameError on a bad frame. */
  next(): Frame | undefined {
    if (this.streaming) {
      if (!this.buffered) return undefined;
      const { type } = this.streaming;
      const piece = this.take(Math.min(this.streaming.left, this.chunks[0].length));
      this.streaming.left -= piece.length;
      if (this.streaming.left === 0) this.streaming = undefined;
      return { type, payload: piece };
    }
    if (this.buffered < HEADER) return undefined;
    const head = this.take(HEADER, true);
    const type = head[0];
    const length = head.readUInt32BE(1);
    if (type > FrameType.error) throw new FrameError(`unknown session frame type ${type}`);
    if (length > MAX_FRAME_PAYLOAD) throw new FrameError(`session frame too large (${length} bytes)`);
    if (STREAM_TYPES.has(type) && length > 0) {
      this.streaming = { type: type as FrameType, left: length };
      return this.next();
    }
    if (this.buffered < length) {
      // the header goes back in front until the whole control frame is there
      this.chunks.unshift(head);
      this.buffered += HEADER;
      return undefined;
    }
    return { type: type as FrameType, payload: this.take(length) };
  }

  /** The next n bytes (n <= buffered): a slice of the first chunk when it holds them, else gathered. */
  private take(n: number, peekCopy = false): Buffer {
    const first = this.chunks[0];
    if (first && first.length >= n && !peekCopy) {
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      this.buffered -= n;
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    while (at < n) {
      const c = this.chunks[0];
      const part = Math.min(c.length, n - at);
      c.copy(out, at, 0, part);
      at += part;
      if (part === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(part);
    }
    this.buffered -= n;
    return out;
  }
}
