import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TcpRequestServer } from './tcp-request-server.js';

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
    server = new TcpRequestServer({ maxPerPeer: 3, idleMs: 300 });
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
