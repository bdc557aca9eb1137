import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TcpRequestServer } from './tcp-request-server.js';

/** Send one request line on a new connection; resolves with what the server wrote back before closing. */
function request(port: number, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(`${line}\n`));
    let got = '';
    socket.on('data', (d) => (got += d));
    socket.on('close', () => resolve(got));
    socket.on('error', reject);
  });
}

describe('TcpRequestServer', () => {
  it('a handler that throws costs its own connection only, and the failure is reported', async () => {
    const failures: string[] = [];
    const server = new TcpRequestServer((req, e) => failures.push(`${req}: ${(e as Error).message}`));
    server.handle(0, 'REQ_BROKEN', () => {
      throw new Error('handler bug');
    });
    server.handle(1, 'REQ_ECHO', (socket) => socket.end('ok\n'));
    const port = await server.listen(['127.0.0.1'], 0);
    try {
      expect(await request(port, 'REQ_BROKEN')).toBe('');
      expect(failures).toEqual(['REQ_BROKEN: handler bug']);
      expect(await request(port, 'REQ_ECHO')).toBe('ok\n');
    } finally {
      await server.close();
    }
  });
});

/** What the server says before it closes a connection (resolves at the close). */
function closeOf(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let said = '';
    socket.on('data', (d) => (said += d));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(said));
  });
}

describe('TCP side channel limits (issue 14 item 5)', () => {
  let server: TcpRequestServer | undefined;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await server?.close();
  });

  it('caps open connections per peer and closes idle ones', async () => {
    server = new TcpRequestServer(undefined, { maxPerPeer: 3, idleMs: 300 });
    server.handle(0, 'REQ_HOLD', (socket) => socket.resume()); // a handler that keeps the connection open
    const port = await server.listen(['127.0.0.1'], 0);
    const open = async () => {
      const s = connect({ host: '127.0.0.1', port });
      sockets.push(s);
      await new Promise((r) => s.once('connect', r));
      s.write('REQ_HOLD\n');
      return s;
    };
    const held = [await open(), await open(), await open()];
    const closes = held.map(closeOf);
    const fourth = await open();
    expect(await closeOf(fourth)).toBe('ERROR too many connections from 127.0.0.1 (at most 3)\n');
    // The three held connections say nothing for 300 ms: closed as idle.
    await Promise.all(closes);
    // Then the peer may connect again.
    const again = await open();
    expect(again.destroyed).toBe(false);
  });
});
