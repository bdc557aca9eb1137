import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipUnless } from '../../helpers/prerequisites.js';
import { REPO, startServer, type ServerHandle } from '../../helpers/walt-processes.js';
import { authHeaders } from '../../helpers/api-token.js';

const BIN = join(REPO, 'packages/core/node-files/bin');

function echo(port: number, line: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile('busybox', ['sh', join(BIN, 'walt-log-echo'), 'ack', line], { env: { PATH: '/usr/bin:/bin', walt_server_ip: '127.0.0.1', walt_server_logs_port: String(port) }, timeout: 20_000 }, (error, _stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stderr }),
    );
  });
}

/** Issue 14 item 7: the node log channel acknowledges explicitly, after the commit. */
describe.skipIf(skipUnless({ commands: ['busybox'] }))('explicit acknowledgement on the node log channel', () => {
  let server: ServerHandle;
  let tcpPort: number;
  let silent: Server;
  let silentPort: number;

  beforeAll(async () => {
    server = await startServer();
    tcpPort = ((await (await fetch(`http://${server.address}/api/v1/logs/ingestion`, { headers: await authHeaders(server.address, 'alice') })).json()) as { tcpPort: number }).tcpPort;
    // What a client sees of a server killed with -9 after reading the lines: a clean close, nothing said.
    silent = createServer((s) => {
      s.on('data', (d) => {
        if (d.includes('CLOSE\n')) s.end();
      });
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    silentPort = (silent.address() as { port: number }).port;
  });
  afterAll(async () => {
    await server?.stop({ cleanup: true });
    silent?.close();
  });

  it('the server says OK after storing the lines, and walt-log-echo succeeds', async () => {
    const r = await echo(tcpPort, 'stored');
    expect(r).toEqual({ code: 0, stderr: '' });
    const show = await server.walt(['log', 'show', '--issuers', 'server', '--streams', '^ack$', '--history', 'full', '--format', '{line}']);
    expect(show.stdout.trim()).toBe('stored');
  });

  it('a close without acknowledgement (a killed server) makes walt-log-echo fail with a message', async () => {
    const r = await echo(silentPort, 'lost');
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringContaining('did not acknowledge the log lines')]);
  });
});
