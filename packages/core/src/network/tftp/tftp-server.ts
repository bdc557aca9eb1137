import { createSocket, type Socket } from 'node:dgram';
import type { BlockSource, TransferContent } from './block-source.js';
import type { TransferOutcome } from './read-transfer.js';
import { TransferPool, type TransferSettings } from './transfer-pool.js';
import { checkRequestedName } from './tftp-name.js';
import { DEFAULT_TFTP_LIMITS, negotiate, type TftpLimits } from './tftp-options.js';
import { decodeRequest, encodeError, printable, TftpPacketError, TFTP_ERROR, type TftpRequestPacket } from './tftp-packets.js';

export interface TftpClient {
  address: string;
  port: number;
}

/** A read request that passed the name checks, handed to the resolver. */
export interface TftpReadRequest {
  client: TftpClient;
  /** Checked name: relative, no '..', no control characters. */
  name: string;
  mode: 'octet' | 'netascii';
  options: ReadonlyMap<string, string>;
}

/** What the resolver answers: the bytes to send, or a TFTP error. `refused` marks an escape attempt. */
export type TftpAnswer =
  | { kind: 'data'; source: BlockSource; label?: string }
  | { kind: 'error'; code: number; message: string; refused?: string };

export type TftpResolver = (request: TftpReadRequest) => Promise<TftpAnswer>;

/** What the server reports; the service turns these into platform log lines. */
export interface TftpServerEvents {
  refused?(client: TftpClient, file: string, reason: string): void;
  notFound?(client: TftpClient, name: string, message: string): void;
  transferEnded?(client: TftpClient, name: string, outcome: TransferOutcome, label?: string): void;
  /** An internal error of ours (a bug); the request got error 0 and the server goes on. */
  internalError?(error: unknown): void;
}

export interface TftpServerOptions {
  host: string;
  port: number;
  limits?: Partial<TftpLimits>;
  /** Concurrent transfers at most; further requests get "server busy". */
  maxTransfers?: number;
  /** Where transfers run: the native sender by default, else worker threads. */
  transfers?: TransferSettings;
  events?: TftpServerEvents;
}

/**
 * A read-only TFTP server: RRQ with blksize, tsize, timeout and windowsize negotiation. Nothing a
 * client sends can throw out of it: every packet is decoded defensively and every request runs in
 * its own transfer with its own socket, so a failing request never affects the others.
 * Requests are decoded, checked and resolved here, on the main thread; the transfers themselves
 * run off it (TransferPool: the native sender, or worker threads), so parallel transfers use
 * every core.
 */
export class TftpServer {
  private socket: Socket | undefined;
  /** Running transfers by client address:port (the value is the pool's id). */
  private readonly transfers = new Map<string, number>();
  private readonly pool: TransferPool;
  private readonly pending = new Set<string>();
  private readonly limits: TftpLimits;
  private closed = false;

  constructor(
    private readonly options: TftpServerOptions,
    private readonly resolve: TftpResolver,
  ) {
    this.limits = { ...DEFAULT_TFTP_LIMITS, ...options.limits };
    this.pool = new TransferPool(options.transfers, (e) => options.events?.internalError?.(e));
  }

  /** Where transfers run, for the start-up log line. */
  describeTransfers(): string {
    return this.pool.describe();
  }

  /** Start listening; resolves with the bound port. */
  listen(): Promise<number> {
    return new Promise((resolvePromise, reject) => {
      const socket = createSocket({ type: 'udp4', reuseAddr: false });
      this.socket = socket;
      socket.once('error', reject);
      socket.bind(this.options.port, this.options.host, () => {
        socket.off('error', reject);
        socket.on('error', (e) => this.options.events?.internalError?.(e));
        socket.on('message', (msg, rinfo) => {
          try {
            this.onRequest(msg, { address: rinfo.address, port: rinfo.port });
          } catch (e) {
            this.options.events?.internalError?.(e);
          }
        });
        this.pool.prestart();
        resolvePromise(socket.address().port);
      });
    });
  }

  get activeTransfers(): number {
    return this.transfers.size;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.close('server shutting down');
    this.transfers.clear();
    await new Promise<void>((r) => {
      if (!this.socket) return r();
      this.socket.close(() => r());
    });
  }

  private onRequest(msg: Buffer, client: TftpClient): void {
    if (this.closed) return;
    let request: TftpRequestPacket;
    try {
      request = decodeRequest(msg);
    } catch (e) {
      const err = e instanceof TftpPacketError ? e : new TftpPacketError('malformed request');
      this.replyError(client, err.code, capitalize(err.message));
      // A NUL smuggled inside a name shows up as a bad mode or stray fields: say so, it is an attempt.
      if (msg.length >= 2 && msg.readUInt16BE(0) <= 2) this.options.events?.refused?.(client, printable(msg.toString('latin1', 2)), err.message);
      return;
    }
    if (request.op === 'WRQ') {
      this.replyError(client, TFTP_ERROR.accessViolation, 'Write requests are not allowed');
      return;
    }
    const check = checkRequestedName(request.file);
    if (!check.ok) {
      this.replyError(client, TFTP_ERROR.accessViolation, 'Access violation');
      this.options.events?.refused?.(client, printable(request.file), check.reason);
      return;
    }
    const key = `${client.address}:${client.port}`;
    // A retransmitted RRQ while we answer the first one: the running transfer already serves it.
    if (this.transfers.has(key) || this.pending.has(key)) return;
    if (this.transfers.size + this.pending.size >= (this.options.maxTransfers ?? 1024)) {
      this.replyError(client, TFTP_ERROR.undefined, 'Server busy, try again later');
      return;
    }
    this.pending.add(key);
    const req: TftpReadRequest = { client, name: check.name, mode: request.mode, options: request.options };
    this.resolve(req)
      .catch((e): TftpAnswer => {
        this.options.events?.internalError?.(e);
        return { kind: 'error', code: TFTP_ERROR.undefined, message: 'Internal server error' };
      })
      .then((answer) => this.answer(key, req, answer))
      .catch((e) => {
        this.pending.delete(key);
        this.options.events?.internalError?.(e);
      });
  }

  private answer(key: string, req: TftpReadRequest, answer: TftpAnswer): void {
    if (answer.kind === 'error') {
      this.pending.delete(key);
      this.replyError(req.client, answer.code, answer.message);
      if (answer.refused) this.options.events?.refused?.(req.client, req.name, answer.refused);
      else if (answer.code === TFTP_ERROR.notFound) this.options.events?.notFound?.(req.client, req.name, answer.message);
      return;
    }
    const source = answer.source;
    if (this.closed) {
      this.pending.delete(key);
      source.close();
      return;
    }
    const params = negotiate(req.options, source.size, this.limits);
    this.pending.delete(key);
    let content: TransferContent;
    try {
      content = source.content();
    } catch (e) {
      source.close();
      throw e;
    }
    const host = this.options.host === '0.0.0.0' ? undefined : this.options.host;
    const id = this.pool.run({ host, peer: req.client, content, params }, (outcome) => {
      // The transfer's thread is done with the descriptor: only now may it be closed.
      source.close();
      if (this.transfers.get(key) === id) this.transfers.delete(key);
      this.options.events?.transferEnded?.(req.client, req.name, outcome, answer.label);
    });
    this.transfers.set(key, id);
  }

  private replyError(client: TftpClient, code: number, message: string): void {
    try {
      this.socket?.send(encodeError(code, message), client.port, client.address);
    } catch {
      /* closed */
    }
  }
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
