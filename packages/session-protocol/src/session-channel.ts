import { EventEmitter } from 'node:events';
import type { Duplex, Writable } from 'node:stream';
import { FrameDecoder, FrameType, MAX_FRAME_PAYLOAD, encodeFrameHeader, type Frame } from './frame-codec.js';

/** Bytes a sender may leave buffered on a session's socket before waiting for 'drain' (memory stays bounded). */
export const SEND_WINDOW = 1 << 20;

/**
 * Writes a chunk of a relayed stream; false once more than SEND_WINDOW waits in `out` (then wait for
 * its 'drain', which comes: this write said false too). As SessionChannel.send, for pipes and SSH channels.
 */
export function writeWithinWindow(out: Writable, chunk: Buffer): boolean {
  return out.write(chunk) || out.writableLength < SEND_WINDOW;
}

export interface ExitStatus {
  /** The remote command's exit status (128 + n when killed by signal n, as a shell says). */
  status: number;
  /** The signal name (without SIG) when it was killed by one. */
  signal?: string;
}

export interface TerminalSize {
  cols: number;
  rows: number;
}

/**
 * Raw stdin (docs/decisions/0026-node-cp-raw-stdin.md): a client offers it with this request header
 * (value `raw`), a server accepts it with the same header on its 101. Then the client -> server
 * direction carries the remote stdin's bytes unframed, written and read by processes at both ends
 * (the client's tar, the server's ssh), and ends with the connection's half-close; the server ->
 * client direction stays framed (stdout, stderr, exit, error). Only over plain TCP (never TLS: the
 * processes would see ciphertext).
 */
export const RAW_STDIN_HEADER = 'walt-session-stdin';

export interface SessionChannelOptions {
  /** The client -> server direction is raw stdin (see RAW_STDIN_HEADER): this end sends no frame. */
  rawStdin?: boolean;
  /** Raw stdin on the server: another process reads the socket, this channel never does. */
  inputHandedOver?: boolean;
}

/**
 * One end of a session over an upgraded connection. Flow control is TCP's own, kept end to end:
 * `send` returns false once the socket buffers more than its high-water mark (wait for 'drain'), and
 * `pause()` stops reading the socket (its kernel buffers fill and the peer's writes block), so a
 * 200 MB copy never sits whole in memory on either side.
 *
 * Events: 'frame' (Frame), 'drain', 'close' (an Error when the connection broke before it ended).
 */
export class SessionChannel extends EventEmitter {
  private readonly decoder = new FrameDecoder();
  private paused = false;
  private ended = false;
  private closed = false;
  private peerEnded = false;
  private markClosed!: (error: Error | undefined) => void;
  /** Resolves when the connection is gone (with an Error when it broke), even if that was before the call. */
  readonly whenClosed = new Promise<Error | undefined>((resolve) => (this.markClosed = resolve));

  /** The client -> server direction is raw stdin: no frame may be sent on it. */
  readonly rawStdin: boolean;
  private readonly inputHandedOver: boolean;

  constructor(
    readonly socket: Duplex,
    head?: Buffer,
    options: SessionChannelOptions = {},
  ) {
    super();
    this.rawStdin = options.rawStdin === true;
    this.inputHandedOver = options.inputHandedOver === true;
    socket.on('drain', () => this.emit('drain'));
    socket.on('error', (e) => this.finish(e));
    socket.on('close', () => this.finish(this.ended ? undefined : new Error('connection closed')));
    if (this.inputHandedOver) return;
    if (head?.length) this.decoder.push(head);
    socket.on('data', (chunk: Buffer) => {
      this.decoder.push(chunk);
      this.deliver();
    });
    // The peer ended its side (it never half-closes otherwise): once its frames are delivered, the
    // session is over. An HTTP server's sockets allow half-open connections, so without this a
    // client killed mid-session would never be noticed.
    socket.on('end', () => {
      this.ended = true;
      this.peerEnded = true;
      this.deliver();
    });
    // Frames wait (the socket unread) until someone listens: a server may first open an SSH
    // channel while the client already sends stdin.
    this.on('newListener', (event: string) => {
      if (event === 'frame') queueMicrotask(() => this.resume());
    });
    if (head?.length) queueMicrotask(() => this.deliver());
  }

  /** Sends one frame (data longer than a frame's maximum is split); false: wait for 'drain'. */
  send(type: FrameType, payload: Buffer = Buffer.alloc(0)): boolean {
    if (this.rawStdin && !this.inputHandedOver) throw new Error('a raw-stdin session sends no frame from the client');
    if (this.closed || this.socket.destroyed) return true;
    let ok = true;
    // Header and data leave in one segment (no copy of the data, no small packet on its own).
    this.socket.cork();
    for (let at = 0; at < payload.length || at === 0; at += MAX_FRAME_PAYLOAD) {
      const part = payload.subarray(at, at + MAX_FRAME_PAYLOAD);
      this.socket.write(encodeFrameHeader(type, part.length));
      ok = this.socket.write(part);
      if (payload.length === 0) break;
    }
    process.nextTick(() => this.socket.uncork());
    // Up to SEND_WINDOW may wait in the socket's buffer: pausing the sender at every chunk (the
    // socket's own 16 KiB mark) handed a bulk copy between processes once per 64 KiB, and on a busy
    // machine each hand-over waits for a core ('drain' still comes: that write said false too).
    return ok || this.socket.writableLength < SEND_WINDOW;
  }

  sendJson(type: FrameType, value: unknown): boolean {
    return this.send(type, Buffer.from(JSON.stringify(value)));
  }

  /** The last frame of a server: the exit status, then the connection ends. */
  exit(status: ExitStatus): void {
    this.sendJson(FrameType.exit, status);
    this.end();
  }

  /** The last frame of a server: why the session failed, in one line. */
  fail(message: string): void {
    this.send(FrameType.error, Buffer.from(message.split('\n')[0]));
    this.end();
  }

  pause(): void {
    this.paused = true;
    this.socket.pause();
  }

  resume(): void {
    if (!this.paused || this.inputHandedOver) return;
    this.paused = false;
    this.deliver();
    if (!this.paused) this.socket.resume();
  }

  end(): void {
    this.ended = true;
    this.socket.end();
    if (this.inputHandedOver) {
      // The process that read the client's stdin is gone: what the client still sends (a copy
      // refused early) is read and dropped until it closes, so our last frame is not lost to a reset.
      this.socket.once('end', () => this.socket.destroy());
      this.socket.resume();
    }
  }

  destroy(): void {
    this.socket.destroy();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private deliver(): void {
    if (this.listenerCount('frame') === 0) {
      if (!this.paused) this.pause();
      return;
    }
    while (!this.paused && !this.closed) {
      let frame: Frame | undefined;
      try {
        frame = this.decoder.next();
      } catch (e) {
        this.socket.destroy(e as Error);
        return;
      }
      if (!frame) {
        if (this.peerEnded) this.socket.destroy();
        return;
      }
      this.emit('frame', frame);
    }
  }

  private finish(error?: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.markClosed(error);
    this.emit('close', error);
  }
}

/** The HTTP Upgrade protocol name a session is requested with. */
export const SESSION_UPGRADE = 'walt-session';
