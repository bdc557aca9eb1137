import { createServer, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import { listenOnEach } from './listen-on-each.js';

describe('listenOnEach', () => {
  it('listens on every address with the port picked for the first', async () => {
    const { servers, port } = await listenOnEach(() => createServer(), ['127.0.0.1', '127.0.0.2'], 0);
    try {
      expect(port).toBeGreaterThan(0);
      expect(servers.map((s) => s.address())).toEqual([
        expect.objectContaining({ address: '127.0.0.1', port }),
        expect.objectContaining({ address: '127.0.0.2', port }),
      ]);
    } finally {
      for (const s of servers) s.close();
    }
  });

  it('closes what it opened and throws when one address cannot be used', async () => {
    const made: Server[] = [];
    // 192.0.2.1 (TEST-NET-1) is not an address of this machine: binding fails, nothing is sent.
    await expect(listenOnEach(() => made[made.push(createServer()) - 1], ['127.0.0.1', '192.0.2.1'], 0)).rejects.toThrow(/EADDRNOTAVAIL/);
    expect(made).toHaveLength(2);
    expect(made[0].listening).toBe(false);
  });
});
