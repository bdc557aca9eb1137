import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { RAW_STDIN_HEADER, SESSION_UPGRADE, SessionChannel } from '@walt/session-protocol';
import { rawStdinOffered as offersRawStdin } from './raw-stdin-offer.js';
import { WaltError } from '../errors.js';
import { STREAMED, type Router } from './router.js';
import { listenOnEach } from '../network/listen-on-each.js';
import { jsonBodyLimit } from './body-limits.js';
import { requestUserName } from './user-name.js';
import type { UserTokens } from '../users/user-tokens.js';
import { isLoopback } from '../logs/peer-address.js';

export interface HttpApiSecurity {
  tokens: UserTokens;
  /** Key and certificate of the HTTPS listeners (every address but loopback). */
  tls: { keyPem: string; certPem: string };
  /** A reason to refuse a peer (a node's address on walt-net), or undefined. */
  refusePeer?: (address: string) => string | undefined;
}

/**
 * The HTTP + JSON API server: typed errors as {error: {code, message}}, never a crash on bad input.
 * Loopback listeners speak plain HTTP (nothing leaves the machine); every other address speaks
 * HTTPS only, so tokens never cross a network in clear.
 */
export class HttpApi {
  private servers: Server[] = [];
  /** Upgraded connections are the server's no more: closed here when the API closes (a restart). */
  private readonly sessions = new Set<Duplex>();

  constructor(
    private readonly router: Router,
    private readonly onInternalError: (e: unknown) => void,
    private readonly security: HttpApiSecurity,
  ) {}

  /** Listen on each address; returns the bound ports (port 0 picks one, the first choice is reused after). */
  async listen(hosts: readonly string[], port: number): Promise<number> {
    const { servers, port: bound } = await listenOnEach(
      (host) => {
        const handler = (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res);
        const server = isLoopback(host) || host === 'localhost' ? createServer(handler) : createHttpsServer({ key: this.security.tls.keyPem, cert: this.security.tls.certPem }, handler);
        server.keepAliveTimeout = 5000;
        server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => void this.handleUpgrade(req, socket, head));
        return server;
      },
      hosts,
      port,
    );
    this.servers.push(...servers);
    return bound;
  }


  async close(): Promise<void> {
    for (const socket of this.sessions) socket.destroy();
    await Promise.all(
      this.servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.close(() => resolve());
            s.closeAllConnections();
          }),
      ),
    );
    this.servers = [];
  }

  /**
   * Who a request acts for (null on the open routes); throws the 403 of a node's address or the 401
   * of a missing or bad token. Every way into the API goes through here, HTTP Upgrade routes included.
   */
  authenticate(req: IncomingMessage, path = new URL(req.url ?? '/', 'http://walt').pathname): string | null {
    const refused = this.security.refusePeer?.(req.socket.remoteAddress ?? '');
    if (refused) throw new WaltError('refused-peer', refused, 403);
    return requestUserName(req.method ?? 'GET', path, req.headers, this.security.tokens);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://walt');
      // Before routing: without a token, not even which endpoints exist.
      const user = this.authenticate(req, url.pathname);
      const found = this.router.match(req.method ?? 'GET', url.pathname);
      if (found === undefined) throw new WaltError('not-found', `no such API endpoint: ${req.method} ${url.pathname}`, 404);
      if (found === 'methodMismatch') throw new WaltError('method-not-allowed', `method ${req.method} not allowed on ${url.pathname}`, 405);
      const body = await readJson(req, jsonBodyLimit(req.method ?? 'GET', url.pathname));
      const result = await found.handler({
        method: req.method ?? 'GET',
        path: url.pathname,
        params: found.params,
        query: url.searchParams,
        body,
        user,
        raw: req,
        res,
      });
      if (result === STREAMED) return;
      send(res, 200, result ?? { ok: true });
    } catch (e) {
      if (e instanceof WaltError) return send(res, e.status, { error: { code: e.code, message: e.message } });
      this.onInternalError(e);
      send(res, 500, { error: { code: 'internal', message: `internal server error: ${(e as Error)?.message ?? e}` } });
    }
  }

  /**
   * A session (docs/decisions/0019-session-transport.md): the route and user are decided as for any
   * request, and the handler's checks answer plain HTTP errors; only then 101 and frames.
   */
  private async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => undefined); // a client gone mid-session is not a server error
    this.sessions.add(socket);
    socket.once('close', () => this.sessions.delete(socket));
    let channel: SessionChannel | undefined;
    try {
      const url = new URL(req.url ?? '/', 'http://walt');
      if ((req.headers.upgrade ?? '').toLowerCase() !== SESSION_UPGRADE) throw new WaltError('bad-upgrade', `unsupported upgrade '${req.headers.upgrade}': only ${SESSION_UPGRADE}`, 400);
      if (req.method !== 'GET') throw new WaltError('method-not-allowed', `method ${req.method} not allowed for a session`, 405);
      const user = this.authenticate(req, url.pathname);
      const found = this.router.matchSession(url.pathname);
      if (!found) throw new WaltError('not-found', `no such session endpoint: ${url.pathname}`, 404);
      const rawStdinOffered = offersRawStdin(req.headers, socket, head);
      const run = await found.handler({ method: 'GET', path: url.pathname, params: found.params, query: url.searchParams, user, raw: req, rawStdinOffered });
      const rawStdin = rawStdinOffered && run.rawStdin === true;
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: ${SESSION_UPGRADE}\r\nConnection: Upgrade\r\n${rawStdin ? `${RAW_STDIN_HEADER}: raw\r\n` : ''}\r\n`);
      channel = new SessionChannel(socket, head, { rawStdin, inputHandedOver: rawStdin });
      await run(channel);
      if (!channel.isClosed) channel.end();
    } catch (e) {
      if (channel) {
        if (!(e instanceof WaltError)) this.onInternalError(e);
        channel.fail(e instanceof WaltError ? e.message : `internal server error: ${(e as Error)?.message ?? e}`);
        return;
      }
      if (!(e instanceof WaltError)) this.onInternalError(e);
      const status = e instanceof WaltError ? e.status : 500;
      const body = e instanceof WaltError ? { error: { code: e.code, message: e.message } } : { error: { code: 'internal', message: `internal server error: ${(e as Error)?.message ?? e}` } };
      const text = JSON.stringify(body);
      socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`);
    }
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  if (req.method === 'GET' || req.method === 'HEAD') return undefined;
  // Binary uploads (walt image cp: a tar) are streamed by their handler from req.raw.
  if ((req.headers['content-type'] ?? '').startsWith('application/x-tar')) return undefined;
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new WaltError('too-large', `request body too large (${declared} bytes; at most ${limit})`, 413);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new WaltError('too-large', `request body too large (at most ${limit} bytes)`, 413);
    chunks.push(chunk as Buffer);
  }
  if (!size) return undefined;
  const type = req.headers['content-type'] ?? '';
  const text = Buffer.concat(chunks).toString('utf8');
  if (!type.includes('json')) return text;
  try {
    return JSON.parse(text);
  } catch {
    throw new WaltError('bad-json', 'request body is not valid JSON', 400);
  }
}
