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

/** Splits a byte stream into frames; holds at most one partial frame (<= MAX_FRAME_PAYLOAD + 5 bytes). */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /** The next complete frame, or undefined when more bytes are needed; FrameError on a bad frame. */
  next(): Frame | undefined {
    if (this.buffered < HEADER) return undefined;
    const head = this.peek(HEADER);
    const type = head[0];
    const length = head.readUInt32BE(1);
    if (type > FrameType.error) throw new FrameError(`unknown session frame type ${type}`);
    if (length > MAX_FRAME_PAYLOAD) throw new FrameError(`session frame too large (${length} bytes)`);
    if (this.buffered < HEADER + length) return undefined;
    const whole = this.take(HEADER + length);
    return { type: type as FrameType, payload: whole.subarray(HEADER) };
  }

  private peek(n: number): Buffer {
    if (this.chunks[0].length < n) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0].subarray(0, n);
  }

  private take(n: number): Buffer {
    if (this.chunks[0].length < n) this.chunks = [Buffer.concat(this.chunks)];
    const first = this.chunks[0];
    const out = first.subarray(0, n);
    if (first.length === n) this.chunks.shift();
    else this.chunks[0] = first.subarray(n);
    this.buffered -= n;
    return out;
  }
}
