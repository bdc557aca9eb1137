import { request as httpRequest, type ClientRequest } from 'node:http';
import type { Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { FrameType, RAW_STDIN_HEADER, SESSION_UPGRADE, SessionChannel, writeWithinWindow, type ExitStatus, type Frame } from '@walt/session-protocol';
import { CliError } from '../cli-error.js';
import type { ApiClient } from './api-client.js';

export const CONNECTION_LOST = 'connection to the WalT server was lost';

/**
 * Opens a session (docs/decisions/0019-session-transport.md): an HTTP Upgrade to `walt-session` on
 * the API, made with the ApiClient's own URL and headers. An HTTP error answer (unknown node, node
 * not booted...) is the same one-line CliError as for any call.
 */
export async function openSession(api: ApiClient, path: string, options: { offerRawStdin?: boolean } = {}): Promise<SessionChannel> {
  const { url, headers, agent } = await api.sessionTarget(path);
  const tls = url.protocol === 'https:';
  const request = tls ? (await import('node:https')).request : httpRequest;
  // Raw stdin never over TLS: a process writing to the socket would bypass the encryption.
  const offer = options.offerRawStdin && !tls ? { [RAW_STDIN_HEADER]: 'raw' } : {};
  return new Promise((resolve, reject) => {
    const req: ClientRequest = request(url, { method: 'GET', agent: agent ?? false, headers: { ...headers, ...offer, connection: 'Upgrade', upgrade: SESSION_UPGRADE } });
    req.on('upgrade', (res, socket: Socket, head: Buffer) => {
      socket.setNoDelay(true);
      const rawStdin = !tls && !!options.offerRawStdin && res.headers[RAW_STDIN_HEADER] === 'raw';
      resolve(new SessionChannel(socket, head, { rawStdin }));
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => reject(api.errorOf(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'))));
      res.on('error', () => reject(api.unreachableError()));
    });
    req.on('error', (e) => reject(api.unreachableError(e)));
    req.end();
  });
}

export interface SessionIo {
  /** Sent as the remote stdin (ended with an eof frame); none: the remote stdin ends at once. */
  stdin?: Readable;
  stdout: Writable;
  stderr: Writable;
  /** The local terminal: raw mode while the session runs, its size follows SIGWINCH. */
  terminal?: NodeJS.ReadStream & { setRawMode(mode: boolean): unknown };
  /** Ctrl-C (SIGINT) is sent to the remote command when there is no terminal (default true). */
  forwardInterrupt?: boolean;
}

/**
 * Relays a session until the remote command ends: stdout/stderr frames to the writers (reading
 * pauses while a writer is full), stdin to the server (reading pauses while the socket is full),
 * Ctrl-C to the remote command (as a byte in raw mode, else as an INT signal frame), and terminal
 * resizes. Resolves with the exit status; a lost connection is a CliError saying so.
 */
export function relaySession(channel: SessionChannel, io: SessionIo): Promise<ExitStatus> {
  return new Promise((resolve, reject) => {
    let result: ExitStatus | undefined;
    let failure: string | undefined;
    const cleanups: (() => void)[] = [];

    const write = (out: Writable, payload: Buffer) => {
      if (!writeWithinWindow(out, payload)) {
        channel.pause();
        out.once('drain', () => channel.resume());
      }
    };
    channel.on('frame', (frame: Frame) => {
      if (frame.type === FrameType.stdout) write(io.stdout, frame.payload);
      else if (frame.type === FrameType.stderr) write(io.stderr, frame.payload);
      else if (frame.type === FrameType.exit) result = JSON.parse(frame.payload.toString('utf8')) as ExitStatus;
      else if (frame.type === FrameType.error) failure = frame.payload.toString('utf8');
    });
    channel.on('close', () => {
      for (const c of cleanups) c();
      if (failure !== undefined) reject(new CliError(failure, 'session-failed'));
      // What is still buffered in the writers (up to the send window) is written before the end.
      else if (result) {
        const status = result;
        void Promise.all([flushed(io.stdout), flushed(io.stderr)]).then(() => resolve(status));
      }
      else reject(new CliError(CONNECTION_LOST, 'connection-lost'));
    });

    const term = io.terminal;
    if (term?.isTTY) {
      term.setRawMode(true);
      cleanups.push(() => term.setRawMode(false));
      const onResize = () => channel.sendJson(FrameType.resize, { cols: process.stdout.columns, rows: process.stdout.rows });
      process.on('SIGWINCH', onResize);
      cleanups.push(() => process.off('SIGWINCH', onResize));
    } else if (io.forwardInterrupt !== false) {
      const onSigint = () => channel.send(FrameType.signal, Buffer.from('INT'));
      process.on('SIGINT', onSigint);
      cleanups.push(() => process.off('SIGINT', onSigint));
    }

    const stdin = io.stdin;
    // Raw stdin: the caller's process writes it to the socket and the caller half-closes it.
    if (channel.rawStdin) return;
    if (!stdin) channel.send(FrameType.eof);
    else {
      const onData = (chunk: Buffer) => {
        if (!channel.send(FrameType.stdin, chunk)) {
          stdin.pause();
          channel.once('drain', () => stdin.resume());
        }
      };
      const onEnd = () => channel.send(FrameType.eof);
      stdin.on('data', onData);
      stdin.once('end', onEnd);
      cleanups.push(() => {
        stdin.off('data', onData);
        stdin.off('end', onEnd);
        stdin.pause();
        // A TTY handle keeps the process alive: let it go.
        (stdin as Partial<Socket>).unref?.();
      });
    }
  });
}

/** Resolves once everything written to `out` so far is processed (a last empty write's callback). */
function flushed(out: Writable): Promise<void> {
  if (out.destroyed || out.writableEnded || out.writableLength === 0) return Promise.resolve();
  return new Promise((resolve) => out.write(Buffer.alloc(0), () => resolve()));
}
