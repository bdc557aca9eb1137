// What authentication costs (issue 14 item 3). `npm run bench -- auth [--requests 2000]`
//  1. server time: UserTokens.owner (the SQLite lookup of the user's hash, SHA-256 of the secret,
//     constant-time compare) and requestUserName (header to user), per call, with 1,000 users;
//  2. a request through the real HttpApi on loopback, kept-alive, open route (GET version) beside an
//     authenticated one (GET users/me): the difference is what authentication adds per request;
//  3. the walt client over HTTPS with a pinned certificate: TCP+TLS handshakes per `walt` run (the
//     version check, then the command's requests, on one kept-alive connection).
// Everything runs on loopback in this process; no interface is touched.
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median, printLoad, spread } from './bench-stats.mjs';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const core = (p) => import(pathToFileURL(join(REPO, 'packages/core/dist', p)).href);
const cli = (p) => import(pathToFileURL(join(REPO, 'packages/cli/dist', p)).href);

function get(agent, port, path, headers) {
  return new Promise((res, rej) => {
    const t0 = process.hrtime.bigint();
    const req = request({ host: '127.0.0.1', port, path, headers, agent }, (r) => {
      r.resume();
      r.on('end', () => res({ status: r.statusCode, ms: Number(process.hrtime.bigint() - t0) / 1e6 }));
    });
    req.on('error', rej);
    req.end();
  });
}

export default async function auth(args) {
  const n = Number(args[args.indexOf('--requests') + 1]) || 2000;
  const { openDatabase } = await core('store/database.js');
  const { UserTokens } = await core('users/user-tokens.js');
  const { requestUserName } = await core('api/user-name.js');
  const { Router } = await core('api/router.js');
  const { HttpApi } = await core('api/http-api.js');
  const { selfSignedCertificate } = await core('api/tls/self-signed-certificate.js');
  const dir = mkdtempSync(join(tmpdir(), 'walt-bench-auth-'));
  printLoad('auth');
  try {
    const db = openDatabase(join(dir, 'walt.db'));
    const tokens = new UserTokens(db);
    let token = '';
    for (let i = 0; i < 1000; i++) {
      const t = tokens.claim(`user${i}`).token;
      if (i === 500) token = t;
    }

    // 1. server time per authentication
    const rounds = 20_000;
    const headers = { authorization: `Bearer ${token}` };
    for (let i = 0; i < 2000; i++) requestUserName('GET', '/api/v1/devices', headers, tokens);
    const samples = [];
    for (let r = 0; r < 5; r++) {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < rounds; i++) if (requestUserName('GET', '/api/v1/devices', headers, tokens) !== 'user500') throw new Error('wrong user');
      samples.push(Number(process.hrtime.bigint() - t0) / 1e3 / rounds);
    }
    const bad = { authorization: `Bearer user500:${'x'.repeat(43)}` };
    const t1 = process.hrtime.bigint();
    for (let i = 0; i < rounds; i++) {
      try {
        requestUserName('GET', '/api/v1/devices', bad, tokens);
      } catch {
        /* refused */
      }
    }
    const badUs = Number(process.hrtime.bigint() - t1) / 1e3 / rounds;
    process.stdout.write(`server time to authenticate a request (1,000 users, ${rounds} calls x 5): ${spread(samples, 1, ' µs')}; a refused token ${badUs.toFixed(1)} µs\n`);

    // 2. through the HTTP API, kept alive: open route vs authenticated route
    const router = new Router();
    router.get('/api/v1/version', () => ({ api: 1 }));
    router.get('/api/v1/users/me', (req) => ({ user: req.user }));
    const api = new HttpApi(router, (e) => process.stderr.write(`${e}\n`), { tokens, tls: selfSignedCertificate('bench') });
    const port = await api.listen(['127.0.0.1'], 0);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const open = [];
    const authed = [];
    for (let i = 0; i < 200; i++) await get(agent, port, '/api/v1/users/me', headers);
    for (let i = 0; i < n; i++) {
      open.push((await get(agent, port, '/api/v1/version', {})).ms);
      const r = await get(agent, port, '/api/v1/users/me', headers);
      if (r.status !== 200) throw new Error(`status ${r.status}`);
      authed.push(r.ms);
    }
    agent.destroy();
    await api.close();
    const ms = (xs) => spread(xs, 3, ' ms');
    process.stdout.write(`HTTP on loopback, kept alive, ${n} requests each: open GET version ${ms(open)}; authenticated GET users/me ${ms(authed)}; difference of medians ${((median(authed) - median(open)) * 1000).toFixed(0)} µs\n`);

    // 3. the walt client over HTTPS: handshakes per run
    const { keyPem, certPem } = selfSignedCertificate('bench');
    let handshakes = 0;
    const seen = [];
    const server = createHttpsServer({ key: keyPem, cert: certPem }, (req, res) => {
      seen.push(`${req.method} ${req.url}`);
      res.setHeader('content-type', 'application/json');
      if (req.url === '/api/v1/version') return res.end(JSON.stringify({ server: '1.0.0', api: 1, id: 'ab'.repeat(32) }));
      if (req.url === '/api/v1/users/claim') return res.end(JSON.stringify({ token: 'alice:secret' }));
      res.end(JSON.stringify({ ok: true }));
    });
    server.on('secureConnection', () => handshakes++);
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    const { ApiClient } = await cli('client/api-client.js');
    const { ClientCredentials } = await cli('client/client-credentials.js');
    const credentials = new ClientCredentials(join(dir, 'client-config'));
    const stderr = process.stderr.write;
    process.stderr.write = () => true; // the first-use notice
    const times = [];
    for (let run = 0; run < 20; run++) {
      const client = new ApiClient({ server: `https://127.0.0.1:${server.address().port}`, username: 'alice' }, credentials);
      const t0 = process.hrtime.bigint();
      await client.get('/api/v1/devices');
      await client.get('/api/v1/nodes');
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    process.stderr.write = stderr;
    server.close();
    server.closeAllConnections();
    process.stdout.write(
      `walt over HTTPS (pinned certificate), 20 runs of version check + 2 requests: ${handshakes} TLS handshakes (${(handshakes / 20).toFixed(1)} per run), ${seen.filter((s) => s.endsWith('/claim')).length} claim (first run only); ${ms(times)} per run\n`,
    );
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return 0;
}
