import { createReadStream, read } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkRequestedName } from './tftp-name.js';
import type { TftpAnswer, TftpReadRequest } from './tftp-server.js';

/** A read stream's close that leaves the descriptor to its owner. */
function keepOpen(_fd: number, callback: (err: NodeJS.ErrnoException | null) => void): void {
  callback(null);
}

/** The TFTP service's resolution: the same files, per client address, as TFTP serves. */
export interface BootFileResolver {
  resolve(req: TftpReadRequest): Promise<TftpAnswer>;
}

/**
 * `GET http://<server>/boot/<name>`: a node's boot files over HTTP (walt-image-contract.md §2; iPXE
 * loads kernel and initrd much faster than with lock-step TFTP). Names resolve exactly as TFTP
 * names do for the same client address (its image's /boot/<model>/, generated files, static
 * files), with the same checks; anything else is 404, a refused name 403.
 */
export class HttpBootServer {
  private readonly server: Server;

  constructor(
    private readonly resolver: BootFileResolver,
    private readonly log: (line: string, error?: boolean) => void,
  ) {
    this.server = createServer((req, res) => void this.handle(req, res).catch((e) => this.fail(res, e)));
    // Slow TCG guests read a big initrd for minutes: no request timeout, but idle sockets go.
    this.server.requestTimeout = 0;
    this.server.keepAliveTimeout = 10_000;
  }

  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') return this.status(res, 405, 'only GET and HEAD');
    const url = new URL(req.url ?? '/', 'http://boot');
    if (!url.pathname.startsWith('/boot/')) return this.status(res, 404, 'not found');
    let raw: string;
    try {
      raw = decodeURIComponent(url.pathname.slice('/boot/'.length));
    } catch {
      return this.status(res, 400, 'bad file name encoding');
    }
    const checked = checkRequestedName(raw);
    if (!checked.ok) return this.status(res, 403, checked.reason);
    const client = { address: (req.socket.remoteAddress ?? '').replace(/^::ffff:/, ''), port: req.socket.remotePort ?? 0 };
    const answer = await this.resolver.resolve({ client, name: checked.name, mode: 'octet', options: new Map() });
    if (answer.kind !== 'data') return this.status(res, answer.refused ? 403 : 404, answer.message);
    const source = answer.source;
    const content = source.content();
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': content.size });
    if (req.method === 'HEAD') {
      source.close();
      return void res.end();
    }
    const started = Date.now();
    const done = (ok: boolean) => {
      source.close();
      const what = `${checked.name}${answer.label ? ` (${answer.label})` : ''}`;
      if (ok) this.log(`${client.address} fetched ${what} over HTTP: ${content.size} bytes in ${Date.now() - started} ms`);
      else this.log(`sending ${what} over HTTP to ${client.address} failed: connection closed early`, true);
    };
    if (content.kind === 'bytes' || content.size === 0) {
      if (content.kind !== 'bytes') return void res.end(() => done(true));
      res.end(Buffer.from(content.bytes), () => done(true));
      return;
    }
    // The descriptor belongs to the source (closed in done()): the stream must never close it, and
    // destroy() closes a stream's fd whatever autoClose says (a double close: EBADF thrown at
    // random, or another file's descriptor closed once the number is reused), hence its own close.
    const stream = createReadStream('', { fd: content.fd, start: 0, end: Math.max(0, content.size - 1), autoClose: false, fs: { read, close: keepOpen } });
    stream.on('error', () => res.destroy());
    stream.pipe(res);
    res.once('close', () => {
      const ok = res.writableFinished;
      // The source closes the fd once the stream's read in flight (if any) has settled.
      if (stream.closed) done(ok);
      else stream.once('close', () => done(ok));
      stream.destroy();
    });
  }

  private status(res: ServerResponse, code: number, text: string): void {
    res.writeHead(code, { 'content-type': 'text/plain' });
    res.end(`${text}\n`);
  }

  private fail(res: ServerResponse, e: unknown): void {
    this.log(`HTTP boot request failed: ${(e as Error)?.message ?? e}`, true);
    if (!res.headersSent) this.status(res, 500, 'internal error');
    else res.destroy();
  }
}
