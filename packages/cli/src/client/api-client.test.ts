import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CliError } from '../cli-error.js';
import { ApiClient, CLIENT_API_VERSION, serverBaseUrl } from './api-client.js';

/** A tiny real HTTP server that answers like (or unlike) a WalT server. */
async function fakeServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; address: string; requests: IncomingMessage[] }> {
  const requests: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    requests.push(req);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, address: `127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

async function failure(p: Promise<unknown>): Promise<CliError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(CliError);
    return e as CliError;
  }
  throw new Error('expected a CliError');
}

let servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  servers = [];
});

/** A fake server; it gives alice the token 'alice:s3cret' when claimed (the client's first use). */
async function walt(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const fake = await fakeServer((req, res) => {
    if (req.method === 'POST' && req.url === '/api/v1/users/claim') return json(res, 200, { user: 'alice', token: 'alice:s3cret' });
    handler(req, res);
  });
  servers.push(fake.server);
  return { ...fake, client: new ApiClient({ server: fake.address, username: 'alice' }) };
}

describe('ApiClient', () => {
  it('checks the version once, claims a token once, then calls the API with the token', async () => {
    const { client, requests } = await walt((req, res) => {
      if (req.url === '/api/v1/version') return json(res, 200, { server: '1.0.0', api: CLIENT_API_VERSION, id: 'ab'.repeat(32) });
      json(res, 200, { devices: [], authorization: req.headers.authorization, header: req.headers['x-walt-user'] ?? null });
    });
    expect(await client.get('/api/v1/devices')).toEqual({ devices: [], authorization: 'Bearer alice:s3cret', header: null });
    expect(await client.post('/api/v1/devices', { a: 1 })).toEqual({ devices: [], authorization: 'Bearer alice:s3cret', header: null });
    expect(requests.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /api/v1/version', 'POST /api/v1/users/claim', 'GET /api/v1/devices', 'POST /api/v1/devices']);
  });

  it('claims again, once, when the saved token was reset by the administrator', async () => {
    let valid = false;
    const { client, requests } = await walt((req, res) => {
      if (req.url === '/api/v1/version') return json(res, 200, { server: '1.0.0', api: CLIENT_API_VERSION, id: 'cd'.repeat(32) });
      if (!valid) return json(res, 401, { error: { code: 'bad-token', message: 'the token is not valid' } });
      json(res, 200, { ok: true });
    });
    await client.get('/api/v1/users/me').catch(() => undefined);
    // the first claim's token is refused: the client forgets it, claims once more, and stops there
    expect(requests.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /api/v1/version', 'POST /api/v1/users/claim', 'GET /api/v1/users/me', 'POST /api/v1/users/claim', 'GET /api/v1/users/me']);
    valid = true;
    expect(await client.get('/api/v1/users/me')).toEqual({ ok: true });
  });

  it('refuses to send a token in clear to an address other than loopback', () => {
    expect(() => new ApiClient({ server: 'http://10.0.0.1:12345', username: 'alice' })).toThrow(/refusing to send your token in clear/);
  });

  it('says clearly when the server speaks another API version, and calls nothing else', async () => {
    const { client, requests } = await walt((req, res) => json(res, 200, { server: '2.3.0', api: CLIENT_API_VERSION + 1 }));
    const e = await failure(client.get('/api/v1/devices'));
    expect(e.code).toBe('version-mismatch');
    expect(e.message).toContain('version mismatch');
    expect(e.message).toContain(`speaks API v${CLIENT_API_VERSION}`);
    expect(e.message).toContain(`the server (2.3.0) speaks API v${CLIENT_API_VERSION + 1}`);
    expect(e.message).toContain('install the client matching the server');
    expect(e.message.split('\n')).toHaveLength(1);
    expect(requests).toHaveLength(1);
  });

  it('says when the address is not a WalT server', async () => {
    const html = await walt((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>hello</html>');
    });
    expect((await failure(html.client.get('/api/v1/devices'))).message).toMatch(/something other than JSON; is 127\.0\.0\.1:\d+ a WalT server\?/);
    const notFound = await walt((_req, res) => json(res, 404, { message: 'nope' }));
    const e = await failure(notFound.client.get('/api/v1/devices'));
    expect(e.code).toBe('not-walt');
    expect(e.message).toContain('does not answer like a WalT server');
    const noVersion = await walt((_req, res) => json(res, 200, { hello: 'world' }));
    expect((await failure(noVersion.client.get('/x'))).code).toBe('not-walt');
  });

  it("passes the server's typed error on as a one-line CliError", async () => {
    const { client } = await walt((req, res) => {
      if (req.url === '/api/v1/version') return json(res, 200, { server: '1.0.0', api: CLIENT_API_VERSION });
      json(res, 404, { error: { code: 'not-found', message: "no such device 'rpi-9'" } });
    });
    const e = await failure(client.get('/api/v1/devices/rpi-9'));
    expect(e.code).toBe('not-found');
    expect(e.message).toBe("no such device 'rpi-9'");
  });

  it('says the server is unreachable', async () => {
    const client = new ApiClient({ server: '127.0.0.1:1', username: 'alice' });
    const e = await failure(client.get('/api/v1/devices'));
    expect(e.code).toBe('unreachable');
    expect(e.message).toContain('Network connection to WalT server failed!');
  });

  it('builds the base URL from host, host:port or a URL', () => {
    expect(serverBaseUrl('walt.lab')).toBe('https://walt.lab:12345');
    expect(serverBaseUrl('10.0.0.1:8080')).toBe('https://10.0.0.1:8080');
    expect(serverBaseUrl('127.0.0.1:8080')).toBe('http://127.0.0.1:8080');
    expect(serverBaseUrl('https://walt.lab/')).toBe('https://walt.lab');
  });
});
