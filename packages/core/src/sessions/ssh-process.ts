import type { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { ClientChannel } from 'ssh2';
import { statusOf, type RemoteProcess } from './remote-process.js';

/** An SSH channel on a node as a session's remote process. */
export function sshProcess(ch: ClientChannel): RemoteProcess {
  let status: { code?: number | null; signal?: string | null } = {};
  ch.on('exit', (code: number | null, signal?: string) => (status = { code, signal }));
  return {
    stdout: ch,
    stderr: ch.stderr,
    stdin: ch,
    endInput: () => ch.end(),
    signal: (name) => ch.signal(name),
    resize: (cols, rows) => ch.setWindow(rows, cols, 0, 0),
    kill: () => {
      // A closed client ends the remote command: a signal (no pty) and the channel's close (pty: SIGHUP).
      try {
        ch.signal('TERM');
      } catch {
        /* channel already gone */
      }
      ch.close();
    },
    // The status goes last: after the channel closed and both outputs were read to their end.
    done: Promise.all([once(ch, 'close'), drained(ch), drained(ch.stderr)]).then(() => statusOf(status.code, status.signal)),
  };
}

function once(emitter: EventEmitter, event: string): Promise<void> {
  return new Promise((resolve) => emitter.once(event, () => resolve()));
}

/** Read to its end (or broken: nothing more will come either way). */
function drained(stream: Readable): Promise<void> {
  return finished(stream, { writable: false }).catch(() => undefined);
}
