/** TFTP wire format (RFC 1350, options RFC 2347): decoding requests and acks, encoding replies. */

export const OP = { RRQ: 1, WRQ: 2, DATA: 3, ACK: 4, ERROR: 5, OACK: 6 } as const;

/** Standard TFTP error codes. */
export const TFTP_ERROR = {
  undefined: 0,
  notFound: 1,
  accessViolation: 2,
  diskFull: 3,
  illegalOperation: 4,
  unknownTid: 5,
  fileExists: 6,
  noSuchUser: 7,
  optionRefused: 8,
} as const;

export interface TftpRequestPacket {
  op: 'RRQ' | 'WRQ';
  /** The file name exactly as sent (latin1 decoded, so every byte maps to one char). */
  file: string;
  mode: 'octet' | 'netascii';
  /** Options, names lowercased, values as sent. */
  options: Map<string, string>;
}

/** Why a packet could not be decoded; the server answers with an error, never throws further. */
export class TftpPacketError extends Error {
  constructor(
    message: string,
    readonly code: number = TFTP_ERROR.illegalOperation,
  ) {
    super(message);
  }
}

/** Decode an RRQ or WRQ. Throws TftpPacketError on anything malformed. */
export function decodeRequest(msg: Buffer): TftpRequestPacket {
  if (msg.length < 4) throw new TftpPacketError('truncated request');
  const opcode = msg.readUInt16BE(0);
  if (opcode !== OP.RRQ && opcode !== OP.WRQ) throw new TftpPacketError(`unexpected opcode ${opcode}`);
  const fields: string[] = [];
  let start = 2;
  for (let i = 2; i < msg.length; i++) {
    if (msg[i] === 0) {
      fields.push(msg.toString('latin1', start, i));
      start = i + 1;
    }
  }
  if (start !== msg.length) throw new TftpPacketError('request fields must end with a NUL byte');
  if (fields.length < 2) throw new TftpPacketError('request without file name or mode');
  const [file, rawMode, ...rest] = fields;
  if (!file) throw new TftpPacketError('empty file name');
  const mode = rawMode.toLowerCase();
  if (mode !== 'octet' && mode !== 'netascii') throw new TftpPacketError(`unsupported transfer mode '${printable(rawMode)}'`);
  if (rest.length % 2 !== 0) throw new TftpPacketError('option without a value');
  const options = new Map<string, string>();
  for (let i = 0; i < rest.length; i += 2) options.set(rest[i].toLowerCase(), rest[i + 1]);
  return { op: opcode === OP.RRQ ? 'RRQ' : 'WRQ', file, mode, options };
}

/** Encode a DATA packet header; the payload is sent alongside (no copy). */
export function dataHeader(block: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt16BE(OP.DATA, 0);
  b.writeUInt16BE(block & 0xffff, 2);
  return b;
}

/** A whole DATA packet in one buffer: one copy of the payload is cheaper than a two-part send. */
export function dataPacket(block: number, payload: Buffer): Buffer {
  const b = Buffer.allocUnsafe(4 + payload.length);
  b.writeUInt16BE(OP.DATA, 0);
  b.writeUInt16BE(block & 0xffff, 2);
  payload.copy(b, 4);
  return b;
}

export function encodeAck(block: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt16BE(OP.ACK, 0);
  b.writeUInt16BE(block & 0xffff, 2);
  return b;
}

export function encodeError(code: number, message: string): Buffer {
  const text = Buffer.from(message, 'latin1');
  const b = Buffer.alloc(4 + text.length + 1);
  b.writeUInt16BE(OP.ERROR, 0);
  b.writeUInt16BE(code, 2);
  text.copy(b, 4);
  return b;
}

export function encodeOack(options: ReadonlyMap<string, string>): Buffer {
  const parts: Buffer[] = [Buffer.from([0, OP.OACK])];
  for (const [k, v] of options) parts.push(Buffer.from(`${k}\0${v}\0`, 'latin1'));
  return Buffer.concat(parts);
}

export function encodeRequest(op: 'RRQ' | 'WRQ', file: string, mode: string, options: ReadonlyMap<string, string> = new Map()): Buffer {
  const parts: Buffer[] = [Buffer.from([0, op === 'RRQ' ? OP.RRQ : OP.WRQ]), Buffer.from(`${file}\0${mode}\0`, 'latin1')];
  for (const [k, v] of options) parts.push(Buffer.from(`${k}\0${v}\0`, 'latin1'));
  return Buffer.concat(parts);
}

/** A packet received on a transfer socket, as the sender cares about it. */
export type TransferPacket =
  | { op: 'ACK'; block: number }
  | { op: 'ERROR'; code: number; message: string }
  | { op: 'OACK'; options: Map<string, string> }
  | { op: 'DATA'; block: number; data: Buffer }
  | { op: 'OTHER'; opcode: number };

/** Decode a packet of an ongoing transfer; undefined when too short to mean anything. */
export function decodeTransferPacket(msg: Buffer): TransferPacket | undefined {
  if (msg.length < 4) return undefined;
  const opcode = msg.readUInt16BE(0);
  switch (opcode) {
    case OP.ACK:
      return { op: 'ACK', block: msg.readUInt16BE(2) };
    case OP.DATA:
      return { op: 'DATA', block: msg.readUInt16BE(2), data: msg.subarray(4) };
    case OP.ERROR: {
      const end = msg.indexOf(0, 4);
      return { op: 'ERROR', code: msg.readUInt16BE(2), message: msg.toString('latin1', 4, end < 0 ? msg.length : end) };
    }
    case OP.OACK: {
      const fields = msg.toString('latin1', 2).split('\0');
      const options = new Map<string, string>();
      for (let i = 0; i + 1 < fields.length; i += 2) options.set(fields[i].toLowerCase(), fields[i + 1]);
      return { op: 'OACK', options };
    }
    default:
      return { op: 'OTHER', opcode };
  }
}

/** A name made safe for a log line: control characters shown as \xNN, long names cut. */
export function printable(s: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what this looks for
  const shown = s.replace(/[\x00-\x1f\x7f-\xff\\]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return shown.length > 200 ? `${shown.slice(0, 200)}...` : shown;
}
