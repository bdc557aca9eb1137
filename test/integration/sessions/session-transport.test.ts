import { PassThrough, Readable, Writable } from 'node:stream';
import { FrameType, type Frame, type SessionChannel } from '@walt/session-protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpApi } from '../../../packages/core/src/api/http-api.js';
import { Router } from '../../../packages/core/src/api/router.js';
import { WaltError } from '../../../packages/core/src/errors.js';
import { ApiClient } from '../../../packages/cli/src/client/api-client.js';
import { CliError } from '../../../packages/cli/src/cli-error.js';
import { CONNECTION_LOST, openSession, relaySession } from '../../../packages/cli/src/client/session-client.js';
import { openDatabase } from '../../../packages/core/src/store/database.js';
import { UserTokens } from '../../../packages/core/src/users/user-tokens.js';
import { localProcess } from '../../../packages/core/src/sessions/local-process.js';
import { relaySession as relayToProcess } from '../../../packages/core/src/sessions/relay-session.js';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Server side of a test session: stdin counted and echoed back on stdout, with TCP backpressure kept. */
function echo(channel: SessionChannel, seen: { users: (string | null)[]; resizes: unknown[]; signals: string[]; maxQueued: number }): Promise<void> {
  return new Promise((resolve) => {
    channel.on('frame', (f: Frame) => {
      if (f.type === FrameType.stdin) {
        if (!channel.send(FrameType.stdout, f.payload)) {
          channel.pause();
          seen.maxQueued = Math.max(seen.maxQueued, channel.socket.writableLength);
          channel.once('drain', () => channel.resume());
        }
      } else if (f.type === FrameType.resize) seen.resizes.push(JSON.parse(f.payload.toString()));
      else if (f.type === FrameType.signal) seen.signals.push(f.payload.toString());
      else if (f.type === FrameType.eof) {
        channel.exit({ status: 3 });
        resolve();
      }
    });
    channel.on('close', () => resolve());
  });
}

describe('session transport: HTTP Upgrade walt-session, frames, flow control', () => {
  const seen = { users: [] as (string | null)[], resizes: [] as unknown[], signals: [] as string[], maxQueued: 0 };
  let api: HttpApi;
  let client: ApiClient;
  let hold: ((channel: SessionChannel) => void) | undefined;
  const rawSocketFlags: number[] = [];

  beforeAll(async () => {
    const router = new Router();
    router.get('/api/v1/version', () => ({ server: 'test', api: 1 }));
    router.session('/api/v1/test/echo', (req) => {
      seen.users.push(req.user);
      if (req.query.get('refuse')) throw new WaltError('not-booted', 'node-x is not booted yet; see walt node wait.', 409);
      return (channel) => echo(channel, seen);
    });
    // A runner that starts late (as one opening an SSH channel first): frames sent meanwhile wait.
    router.session('/api/v1/test/late', () => async (channel) => {
      await new Promise((r) => setTimeout(r, 300));
      await echo(channel, seen);
    });
    // Raw stdin when offered: a process reads the socket itself (as ssh does for walt node cp; it gets
    // it non-blocking, which ssh and Node handle, sha256sum not).
    const sha256 = [process.execPath, ['-e', "const h = require('crypto').createHash('sha256'); process.stdin.on('data', (c) => h.update(c)).on('end', () => console.log(h.digest('hex') + '  -'))"]] as const;
    router.session('/api/v1/test/raw-sha', (req) => {
      if (!req.rawStdinOffered) return (channel) => relayToProcess(channel, localProcess(sha256[0], [...sha256[1]]));
      const run = async (channel: SessionChannel) => {
        const fd = (channel.socket as Socket & { _handle?: { fd?: number } })._handle?.fd;
        await relayToProcess(channel, localProcess(sha256[0], [...sha256[1]], { stdinSocket: channel.socket as Socket }));
        // O_NONBLOCK (04000 octal) kept on the server's socket once the process had it.
        rawSocketFlags.push(Number.parseInt(/flags:\s+(\d+)/.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))![1], 8));
      };
      return Object.assign(run, { rawStdin: true });
    });
    router.session('/api/v1/test/hold', () => (channel) => new Promise<void>(() => hold?.(channel)));
    // Tokens as the server keeps them (loopback only here: no TLS listener is made).
    const tokens = new UserTokens(openDatabase(':memory:'));
    const claimed = tokens.claim('alice');
    if (!('token' in claimed)) throw new Error('alice could not claim her name');
    api = new HttpApi(router, () => undefined, { tokens, tls: { keyPem: '', certPem: '' } });
    const port = await api.listen(['127.0.0.1'], 0);
    client = new ApiClient({ server: `127.0.0.1:${port}`, username: 'alice', token: claimed.token });
  });
  afterAll(() => api?.close());

  it('relays stdin to stdout and ends with the exit status; the user is decided as for any request', async () => {
    const channel = await openSession(client, '/api/v1/test/echo');
    let out = '';
    const stdout = new Writable({ write: (c, _e, cb) => ((out += c), cb()) });
    const status = await relaySession(channel, { stdin: Readable.from([Buffer.from('hello '), Buffer.from('world')]), stdout, stderr: stdout });
    expect(status).toEqual({ status: 3 });
    expect(out).toBe('hello world');
    expect(seen.users.at(-1)).toBe('alice');
  });

  it('frames sent before the server listens are kept, in order', async () => {
    const channel = await openSession(client, '/api/v1/test/late');
    let out = '';
    const stdout = new Writable({ write: (c, _e, cb) => ((out += c), cb()) });
    const parts = Array.from({ length: 50 }, (_, i) => Buffer.from(`${i},`));
    const status = await relaySession(channel, { stdin: Readable.from(parts), stdout, stderr: stdout });
    expect(status).toEqual({ status: 3 });
    expect(out).toBe(parts.join(''));
  });

  it('a check that fails answers a plain HTTP error, shown as the server message', async () => {
    const e = await openSession(client, '/api/v1/test/echo?refuse=1').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CliError);
    expect((e as CliError).message).toBe('node-x is not booted yet; see walt node wait.');
    const unknown = await openSession(client, '/api/v1/test/nope').catch((x: unknown) => x);
    expect((unknown as CliError).message).toContain('no such session endpoint');
  });

  it('a token the server did not issue is refused by the same check as plain requests', async () => {
    const bad = new ApiClient({ server: client.config.server, username: 'alice', token: 'alice:forged' });
    const e = await openSession(bad, '/api/v1/test/echo').catch((x: unknown) => x);
    expect((e as CliError).message).toContain("the token of user 'alice' is not valid on this server");
    expect(seen.users).not.toContain(null);
  });

  it('64 MB through a slow reader: the server stops reading and neither side buffers it all', async () => {
    const channel = await openSession(client, '/api/v1/test/echo');
    const chunk = Buffer.alloc(256 * 1024, 7);
    let sent = 0;
    const total = 64 * 1024 * 1024;
    const stdin = new Readable({
      read() {
        if (sent >= total) return void this.push(null);
        sent += chunk.length;
        this.push(chunk);
      },
    });
    let received = 0;
    let maxAhead = 0;
    const stdout = new Writable({
      highWaterMark: 64 * 1024,
      write: (c: Buffer, _e, cb) => {
        received += c.length;
        maxAhead = Math.max(maxAhead, sent - received);
        setImmediate(cb); // a slow consumer
      },
    });
    const status = await relaySession(channel, { stdin, stdout, stderr: stdout });
    expect(status.status).toBe(3);
    expect(received).toBe(total);
    // In flight between reader and writer: socket buffers and a few frames, far below the 64 MB.
    expect(maxAhead).toBeLessThan(16 * 1024 * 1024);
    expect(seen.maxQueued).toBeLessThan(8 * 1024 * 1024);
  });

  it('raw stdin: offered and accepted on plain TCP, a process writes the socket and one reads it; not offered: framed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'walt-g-raw-'));
    try {
      const file = join(dir, 'data');
      const data = randomBytes(8 << 20);
      writeFileSync(file, data);
      const want = createHash('sha256').update(data).digest('hex');
      const collect = () => {
        let text = '';
        return { stream: new Writable({ write: (c, _e, cb) => ((text += c), cb()) }), text: () => text };
      };

      const raw = await openSession(client, '/api/v1/test/raw-sha', { offerRawStdin: true });
      expect(raw.rawStdin).toBe(true);
      expect(() => raw.send(FrameType.eof)).toThrow(/no frame/);
      const socket = raw.socket as Socket;
      const cat = spawn('cat', [file], { stdio: ['ignore', socket, 'inherit'] });
      socket.resume(); // handing it over paused it: the server's frames are still read
      cat.once('close', () => socket.end());
      const out = collect();
      expect(await relaySession(raw, { stdout: out.stream, stderr: out.stream, forwardInterrupt: false })).toEqual({ status: 0 });
      expect(out.text().split(' ')[0]).toBe(want);
      expect(rawSocketFlags.length).toBe(1);
      expect(rawSocketFlags[0] & 0o4000, 'the server socket stays non-blocking').toBe(0o4000);

      const framed = await openSession(client, '/api/v1/test/raw-sha');
      expect(framed.rawStdin).toBe(false);
      const out2 = collect();
      expect(await relaySession(framed, { stdin: createReadStream(file), stdout: out2.stream, stderr: out2.stream, forwardInterrupt: false })).toEqual({ status: 0 });
      expect(out2.text().split(' ')[0]).toBe(want);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a client that goes away is noticed by the server (its runner can end the remote command)', async () => {
    const got = new Promise<SessionChannel>((r) => (hold = r));
    const channel = await openSession(client, '/api/v1/test/hold');
    channel.on('frame', () => undefined);
    const server = await got;
    server.on('frame', () => undefined); // a runner listening (frames wait for one)
    channel.socket.end(); // a FIN, as when the client process is killed
    await expect(server.whenClosed).resolves.toBeUndefined();
  });

  it('a connection closed by the server mid-session is "connection lost"', async () => {
    const got = new Promise<SessionChannel>((r) => (hold = r));
    const channel = await openSession(client, '/api/v1/test/hold');
    const relay = relaySession(channel, { stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough() });
    (await got).destroy();
    const e = await relay.catch((x: unknown) => x);
    expect((e as CliError).message).toBe(CONNECTION_LOST);
  });
});
