import type { Readable } from 'node:stream';
import { FrameType, writeWithinWindow, type Frame, type SessionChannel } from '@walt/session-protocol';
import type { RemoteProcess } from './remote-process.js';

/** Signals a client may send (what a terminal user can raise). */
const SIGNALS = new Set(['INT', 'TERM', 'HUP', 'QUIT', 'KILL', 'USR1', 'USR2']);

/**
 * Relays a session to a remote process until it ends: its output as stdout/stderr frames (read
 * only while the client keeps up), stdin frames to it (the socket paused while it is full),
 * resize and signal frames, then its exit status as the last frame. A client that leaves ends it.
 */
export async function relaySession(channel: SessionChannel, proc: RemoteProcess, pending: readonly Frame[] = []): Promise<void> {
  const forward = (source: Readable, type: FrameType) => {
    source.on('data', (chunk: Buffer) => {
      if (!channel.send(type, chunk)) {
        source.pause();
        channel.once('drain', () => source.resume());
      }
    });
  };
  forward(proc.stdout, FrameType.stdout);
  if (proc.stderr) forward(proc.stderr, FrameType.stderr);

  const onFrame = (frame: Frame) => {
    switch (frame.type) {
      case FrameType.stdin:
        if (!writeWithinWindow(proc.stdin, frame.payload)) {
          channel.pause();
          proc.stdin.once('drain', () => channel.resume());
        }
        break;
      case FrameType.eof:
        proc.endInput();
        break;
      case FrameType.resize: {
        const size = parseSize(frame.payload);
        if (size) proc.resize?.(size.cols, size.rows);
        break;
      }
      case FrameType.signal: {
        const name = frame.payload.toString('utf8');
        if (SIGNALS.has(name)) proc.signal(name);
        break;
      }
      default:
        break; // frames a client does not send are ignored
    }
  };
  // Frames read before (e.g. while asking for a password) come first.
  for (const frame of pending) onFrame(frame);
  channel.on('frame', onFrame);
  proc.stdin.on('error', () => undefined); // input to a process that already ended
  const left = channel.whenClosed.then(() => 'left' as const);
  const ended = await Promise.race([proc.done, left]);
  if (ended === 'left') {
    proc.kill();
    return;
  }
  channel.exit(ended);
}

function parseSize(payload: Buffer): { cols: number; rows: number } | undefined {
  try {
    const v = JSON.parse(payload.toString('utf8')) as { cols?: unknown; rows?: unknown };
    const ok = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n > 0 && n < 10_000;
    return ok(v.cols) && ok(v.rows) ? { cols: v.cols, rows: v.rows } : undefined;
  } catch {
    return undefined;
  }
}
