import { createSocket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import type { TransferOutcome } from './read-transfer.js';
import { TransferPool, type TransferSettings } from './transfer-pool.js';
import { negotiate } from './tftp-options.js';
import { encodeAck } from './tftp-packets.js';

/** A bare client socket that acks every DATA packet; resolves with the payload. */
async function receiver(): Promise<{ port: number; done: Promise<Buffer>; close: () => void }> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const parts: Buffer[] = [];
  const done = new Promise<Buffer>((resolve) => {
    s.on('message', (m, rinfo) => {
      if (m.readUInt16BE(0) !== 3) return;
      const block = m.readUInt16BE(2);
      if (block === parts.length + 1) parts.push(Buffer.from(m.subarray(4)));
      s.send(encodeAck(block), rinfo.port, rinfo.address);
      if (m.length - 4 < 512) resolve(Buffer.concat(parts));
    });
  });
  return { port: s.address().port, done, close: () => s.close() };
}

const outcome = (pool: TransferPool, job: Parameters<TransferPool['run']>[0]) =>
  new Promise<TransferOutcome>((resolve) => pool.run(job, resolve));

const engines: Array<[string, TransferSettings]> = [
  ['the main thread', { engine: 'threads', workers: 0 }],
  ['1 worker thread', { engine: 'threads', workers: 1 }],
  ['the native sender', { engine: 'native' }],
];

describe.each(engines)('TransferPool on %s', (where, settings) => {
  it('sends bytes in memory, then reports a bad descriptor as a read error and keeps working', async () => {
    const pool = new TransferPool(settings);
    try {
      expect(pool.describe()).toMatch(new RegExp(`^${where}`));
      const bytes = Buffer.from('x'.repeat(5000));
      const r = await receiver();
      const sent = outcome(pool, { host: '127.0.0.1', peer: { address: '127.0.0.1', port: r.port }, content: { kind: 'bytes', bytes, size: bytes.length }, params: negotiate(new Map(), bytes.length) });
      expect((await r.done).equals(bytes)).toBe(true);
      expect(await sent).toMatchObject({ status: 'sent', bytes: 5000 });
      r.close();

      const r2 = await receiver();
      const bad = await outcome(pool, { host: '127.0.0.1', peer: { address: '127.0.0.1', port: r2.port }, content: { kind: 'file', fd: 987654, size: 4096 }, params: negotiate(new Map(), 4096) });
      expect(bad).toMatchObject({ status: 'failed', reason: expect.stringMatching(/read error/) });
      r2.close();

      const r3 = await receiver();
      const again = outcome(pool, { host: '127.0.0.1', peer: { address: '127.0.0.1', port: r3.port }, content: { kind: 'bytes', bytes, size: bytes.length }, params: negotiate(new Map(), bytes.length) });
      expect((await r3.done).equals(bytes)).toBe(true);
      expect(await again).toMatchObject({ status: 'sent' });
      r3.close();
      // A transfer socket that cannot bind (an address not on this host) ends the job, reported.
      const unbound = await outcome(pool, { host: '192.0.2.1', peer: { address: '127.0.0.1', port: 9 }, content: { kind: 'bytes', bytes, size: bytes.length }, params: negotiate(new Map(), bytes.length) });
      expect(unbound).toMatchObject({ status: 'failed', reason: expect.stringMatching(/socket error/) });
      expect(pool.active).toBe(0);
    } finally {
      await pool.close('test over');
    }
  });
});

describe.each(engines)('TransferPool on %s, shutting down', (_where, settings) => {
  it('cancels a transfer waiting for its client: the client gets an ERROR, the outcome says why', async () => {
    const pool = new TransferPool(settings);
    const silent = createSocket('udp4');
    await new Promise<void>((r) => silent.bind(0, '127.0.0.1', () => r()));
    const received: Buffer[] = [];
    silent.on('message', (m) => received.push(m));
    try {
      const bytes = Buffer.alloc(100_000, 7);
      const ended = outcome(pool, { host: '127.0.0.1', peer: { address: '127.0.0.1', port: silent.address().port }, content: { kind: 'bytes', bytes, size: bytes.length }, params: negotiate(new Map(), bytes.length) });
      // The first block arrives; the client never acknowledges it.
      for (let i = 0; i < 100 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(received[0]?.readUInt16BE(0)).toBe(3);
      await pool.close('server shutting down');
      expect(await ended).toEqual({ status: 'failed', reason: 'server shutting down' });
      for (let i = 0; i < 100 && !received.some((m) => m.readUInt16BE(0) === 5); i++) await new Promise((r) => setTimeout(r, 10));
      const error = received.find((m) => m.readUInt16BE(0) === 5);
      expect(error?.subarray(4, error.length - 1).toString()).toBe('server shutting down');
      expect(pool.active).toBe(0);
    } finally {
      silent.close();
      await pool.close('test over');
    }
  });
});
