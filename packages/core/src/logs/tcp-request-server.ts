import { createServer, type Server, type Socket } from 'node:net';
import { listenOnEach } from '../network/listen-on-each.js';

/** Handles one connection after its request line; `rest` is what the client sent after that line. */
export type TcpRequestHandler = (socket: Socket, rest: Buffer) => void;

const MAX_REQUEST_LINE = 256;
const REQUEST_LINE_TIMEOUT_MS = 10_000;

export interface TcpRequestLimits {
  /** Open connections per peer address (a node needs a few: 20,000 idle ones were kept). */
  maxPerPeer: number;
  /** A connection with no traffic for this long is closed. */
  idleMs: number;
}

/** A node opens a connection per walt-log-cat and one for its bootup notification. */
export const DEFAULT_TCP_LIMITS: TcpRequestLimits = { maxPerPeer: 64, idleMs: 60 * 60_000 };

/**
 * The original's TCP side channel (port 12347): a connection starts with one line naming the request,
 * by decimal id or by name (`0` or `REQ_NEW_INCOMING_LOGS`), then belongs to that request's handler.
 * Plain text, so busybox `nc` on a node can speak it. Other subsystems add their requests with handle().
 */
export class TcpRequestServer {
  private readonly handlers = new Map<string, TcpRequestHandler>();
  private readonly servers: Server[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly perPeer = new Map<string, number>();

  /** `onHandlerError`: a handler that threw (its connection is closed; the others go on). */
  constructor(
    private readonly onHandlerError: (request: string, error: unknown) => void = () => undefined,
    private readonly limits: TcpRequestLimits = DEFAULT_TCP_LIMITS,
  ) {}

  handle(id: number, name: string, handler: TcpRequestHandler): this {
    this.handlers.set(String(id), handler);
    this.handlers.set(name, handler);
    return this;
  }

  /** Listen on each address; returns the port (0 picks a free one, reused for the next addresses). */
  async listen(hosts: readonly string[], port: number): Promise<number> {
    const { servers, port: bound } = await listenOnEach(
      () => createServer((socket) => this.accept(socket)),
      hosts,
      port,
    );
    this.servers.push(...servers);
    return bound;
  }


  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await Promise.all(this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    this.servers.length = 0;
  }

  private accept(socket: Socket): void {
    const peer = socket.remoteAddress ?? '?';
    const open = this.perPeer.get(peer) ?? 0;
    socket.on('error', () => socket.destroy());
    if (open >= this.limits.maxPerPeer) {
      socket.end(`ERROR too many connections from ${peer} (at most ${this.limits.maxPerPeer})\n`);
      socket.resume(); // read (and drop) until the peer's end, so the socket closes
      setTimeout(() => socket.destroy(), REQUEST_LINE_TIMEOUT_MS).unref();
      return;
    }
    this.perPeer.set(peer, open + 1);
    this.sockets.add(socket);
    socket.setNoDelay(true);
    socket.setTimeout(this.limits.idleMs, () => socket.destroy());
    socket.on('close', () => {
      this.sockets.delete(socket);
      const left = (this.perPeer.get(peer) ?? 1) - 1;
      if (left > 0) this.perPeer.set(peer, left);
      else this.perPeer.delete(peer);
    });
    let head = Buffer.alloc(0);
    const timer = setTimeout(() => socket.destroy(), REQUEST_LINE_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const nl = head.indexOf(0x0a);
      if (nl < 0) {
        if (head.length > MAX_REQUEST_LINE) fail('request line too long');
        return;
      }
      clearTimeout(timer);
      socket.off('data', onData);
      const request = head.subarray(0, nl).toString('latin1').trim();
      const handler = this.handlers.get(request);
      if (!handler) return fail(`unknown request '${request.slice(0, 40)}'`);
      socket.pause();
      try {
        handler(socket, head.subarray(nl + 1));
      } catch (e) {
        socket.destroy();
        this.onHandlerError(request, e);
      }
    };
    const fail = (why: string) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.end(`ERROR ${why}\n`);
    };
    socket.on('data', onData);
    socket.on('close', () => clearTimeout(timer));
  }
}

/** Request ids of the original (`common/walt/common/tcp.py`). */
export const TCP_REQUESTS = {
  NEW_INCOMING_LOGS: { id: 0, name: 'REQ_NEW_INCOMING_LOGS' },
  NOTIFY_BOOTUP_STATUS: { id: 14, name: 'REQ_NOTIFY_BOOTUP_STATUS' },
} as const;
