import { constants } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import type { ExitStatus } from '@walt/session-protocol';

/** What a session relays to: an SSH channel on a node, a process on the server, a TCP connection. */
export interface RemoteProcess {
  stdout: Readable;
  /** Absent for a TCP connection. */
  stderr?: Readable;
  stdin: Writable;
  /** The remote stdin has ended. */
  endInput(): void;
  signal(name: string): void;
  resize?(cols: number, rows: number): void;
  /** The client left: end it now. */
  kill(): void;
  /** Resolves once its output is all read, with its exit status. */
  done: Promise<ExitStatus>;
}

/** 128 + the signal's number, as a shell reports a command killed by it. */
export function statusOf(code: number | null | undefined, signal: string | null | undefined): ExitStatus {
  if (typeof code === 'number') return { status: code };
  if (signal) {
    const name = signal.replace(/^SIG/, '');
    const number = (constants.signals as Record<string, number>)[`SIG${name}`] ?? 0;
    return { status: 128 + number, signal: name };
  }
  return { status: 255 };
}
