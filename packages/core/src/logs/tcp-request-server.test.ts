import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
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
