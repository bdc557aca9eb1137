import type { AddressInfo, Server } from 'node:net';

/**
 * Listen with one server per address, on the same port (port 0 picks a free one on the first address,
 * then reuses it). All or nothing: if one address fails, the servers opened so far are closed and the
 * error is thrown, so a caller can fall back to fewer addresses.
 */
export async function listenOnEach<S extends Server>(make: (host: string) => S, hosts: readonly string[], port: number): Promise<{ servers: S[]; port: number }> {
  const servers: S[] = [];
  let bound = port;
  try {
    for (const host of hosts) {
      const server = make(host);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(bound, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      servers.push(server);
      bound = (server.address() as AddressInfo).port;
    }
  } catch (e) {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    throw e;
  }
  return { servers, port: bound };
}
