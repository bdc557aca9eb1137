import type { IncomingHttpHeaders } from 'node:http';
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { TLSSocket } from 'node:tls';
import { RAW_STDIN_HEADER } from '@walt/session-protocol';

/**
 * Whether a session may carry raw stdin (docs/decisions/0026-node-cp-raw-stdin.md): the client asked,
 * the connection is plain TCP (a process handed a TLS socket would read records, not the data), and
 * no byte followed the request (it would already be read, lost to the process).
 */
export function rawStdinOffered(headers: IncomingHttpHeaders, socket: Duplex, head: Buffer): boolean {
  return headers[RAW_STDIN_HEADER] === 'raw' && socket instanceof Socket && !(socket instanceof TLSSocket) && head.length === 0;
}
