import { spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import { Writable } from 'node:stream';
import { statusOf, type RemoteProcess } from './remote-process.js';

export interface LocalProcessOptions {
  /**
   * The process reads this socket itself as its stdin (a raw-stdin session): no byte passes through
   * JavaScript. Node stops reading the socket when it hands it over (child_process does readStop).
   * The process gets it non-blocking: it must wait for input itself (ssh does; sha256sum would not).
   */
  stdinSocket?: Socket;
}

/** A command the server runs for a session (e.g. ping towards a node on walt-net). */
export function localProcess(command: string, args: readonly string[], options: LocalProcessOptions = {}): RemoteProcess {
  // A handed-over socket goes in as fd 3 and sh moves it to stdin: libuv makes a child's fds 0-2
  // blocking, on the file description it shares with ours, and a blocking socket would let one
  // read or write of this server's event loop wait on a client.
  const child = options.stdinSocket
    ? spawn('sh', ['-c', 'exec "$0" "$@" <&3 3<&-', command, ...args], { stdio: ['ignore', 'pipe', 'pipe', options.stdinSocket] })
    : spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const stdout = child.stdout!;
  const stderr = child.stderr!;
  const done = new Promise<ReturnType<typeof statusOf>>((resolve) => {
    child.once('error', (e: NodeJS.ErrnoException) => {
      stderr.push(`${command}: ${e.code === 'ENOENT' ? 'not installed on the WalT server' : e.message}\n`);
      resolve({ status: 127 });
    });
    child.once('close', (code, signal) => resolve(statusOf(code, signal)));
  });
  return {
    stdout,
    stderr,
    // With a handed-over stdin there is nothing to write to here (a raw-stdin relay never does).
    stdin: child.stdin ?? new Writable({ write: (_chunk, _encoding, callback) => callback() }),
    endInput: () => child.stdin?.end(),
    signal: (name) => child.kill(`SIG${name}` as NodeJS.Signals),
    kill: () => child.kill('SIGTERM'),
    done,
  };
}
