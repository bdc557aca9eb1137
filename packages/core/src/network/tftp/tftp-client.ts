import { createSocket } from 'node:dgram';
import { decodeTransferPacket, encodeAck, encodeError, encodeRequest, TFTP_ERROR } from './tftp-packets.js';

export interface TftpGetOptions {
  host: string;
  port?: number;
  blockSize?: number;
  windowSize?: number;
  /** Ask for tsize (the answer is in the result). */
  tsize?: boolean;
  timeoutMs?: number;
  /** Local address to send from. */
  localAddress?: string;
}

export interface TftpGetResult {
  data: Buffer;
  /** Options the server acknowledged. */
  options: Map<string, string>;
}

/** A TFTP error answered by the server. */
export class TftpRemoteError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(`TFTP error ${code}: ${message}`);
  }
}

/**
 * A small read-only TFTP client (RFC 1350 + blksize/tsize/windowsize), for diagnostics, tests and
 * benchmarks: few stock clients speak windowsize (RFC 7440).
 */
export function tftpGet(file: string, o: TftpGetOptions): Promise<TftpGetResult> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    const port = o.port ?? 69;
    const wanted = new Map<string, string>();
    if (o.blockSize) wanted.set('blksize', String(o.blockSize));
    if (o.windowSize) wanted.set('windowsize', String(o.windowSize));
    if (o.tsize) wanted.set('tsize', '0');
    let blockSize = 512;
    let windowSize = 1;
    let expected = 1;
    let inWindow = 0;
    let peer: { address: string; port: number } | undefined;
    const chunks: Buffer[] = [];
    let options = new Map<string, string>();
    let timer: NodeJS.Timeout | undefined;
    let lastSent = encodeRequest('RRQ', file, 'octet', wanted);
    let retries = 0;
    const timeoutMs = o.timeoutMs ?? 1000;
    const finish = (e?: Error) => {
      clearTimeout(timer);
      socket.close();
      if (e) reject(e);
      else resolve({ data: Buffer.concat(chunks), options });
    };
    const send = (packet: Buffer) => {
      lastSent = packet;
      socket.send(packet, peer?.port ?? port, peer?.address ?? o.host);
      clearTimeout(timer);
      timer = setTimeout(() => {
        if (++retries > 6) return finish(new Error(`timed out fetching ${file}`));
        socket.send(lastSent, peer?.port ?? port, peer?.address ?? o.host);
        timer!.refresh();
      }, timeoutMs);
    };
    socket.on('error', (e) => finish(e));
    socket.on('message', (msg, rinfo) => {
      if (!peer) {
        peer = { address: rinfo.address, port: rinfo.port };
      } else if (rinfo.port !== peer.port || rinfo.address !== peer.address) return;
      const p = decodeTransferPacket(msg);
      if (!p) return;
      if (p.op === 'ERROR') return finish(new TftpRemoteError(p.code, p.message));
      if (p.op === 'OACK') {
        options = p.options;
        blockSize = Number(options.get('blksize') ?? 512);
        windowSize = Number(options.get('windowsize') ?? 1);
        retries = 0;
        return send(encodeAck(0));
      }
      if (p.op !== 'DATA') {
        socket.send(encodeError(TFTP_ERROR.illegalOperation, 'unexpected packet'), peer.port, peer.address);
        return finish(new Error('unexpected packet from the server'));
      }
      if (p.block !== (expected & 0xffff)) {
        // Out of order: ask again from the first missing block.
        inWindow = 0;
        return send(encodeAck(expected - 1));
      }
      // Node hands each datagram its own buffer: keeping a view of it needs no copy.
      chunks.push(p.data);
      retries = 0;
      const last = p.data.length < blockSize;
      expected++;
      if (last) {
        // Close only once the final ACK is out: the server waits for it.
        clearTimeout(timer);
        socket.send(encodeAck(p.block), peer.port, peer.address, () => finish());
        return;
      }
      if (++inWindow >= windowSize) {
        inWindow = 0;
        send(encodeAck(p.block));
      } else {
        timer?.refresh();
      }
    });
    socket.bind(0, o.localAddress, () => send(lastSent));
  });
}
