import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { softReboot } from './reboot-protocol.js';

/** A fake node service: records what it receives, answers `reply` (or nothing). */
function fakeNode(reply: string | null): Promise<{ server: Server; port: number; received: () => string }> {
  let received = '';
  const server = createServer((socket) => {
    socket.on('data', (d) => {
      received += d.toString();
      if (received.includes('REBOOT\n') && reply !== null) socket.end(reply);
    });
    socket.on('error', () => undefined);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port, received: () => received })));
}

describe('soft reboot protocol (TCP 12346)', () => {
  let server: Server | undefined;
  afterEach(() => server?.close());

  it('sends MODE single then REBOOT, and OK means rebooted', async () => {
    const node = await fakeNode('OK\n');
    server = node.server;
    expect(await softReboot('127.0.0.1', { port: node.port })).toBeUndefined();
    expect(node.received()).toBe('MODE single\nREBOOT\n');
  });

  it('reports the message of a KO reply', async () => {
    const node = await fakeNode('KO reboot is disabled on this image\n');
    server = node.server;
    expect(await softReboot('127.0.0.1', { port: node.port })).toBe('reboot is disabled on this image');
  });

  it('times out waiting for a reply', async () => {
    const node = await fakeNode(null);
    server = node.server;
    expect(await softReboot('127.0.0.1', { port: node.port, timeoutMs: 300 })).toBe('Timed out waiting for reply');
  });

  it('says when the connection is refused', async () => {
    const node = await fakeNode('OK\n');
    const port = node.port;
    await new Promise((r) => node.server.close(r));
    expect(await softReboot('127.0.0.1', { port })).toBe('Connection refused');
  });
});
