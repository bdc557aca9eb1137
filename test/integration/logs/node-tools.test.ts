import { execFile } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipUnless } from '../../helpers/prerequisites.js';
import { REPO, startServer, type ServerHandle } from '../../helpers/walt-processes.js';
import { authHeaders } from '../../helpers/api-token.js';

/** The node tools (walt-log-echo, walt-log-cat, walt-log-tee) run by busybox sh against a real server. */

const BIN = join(REPO, 'packages/core/node-files/bin');

describe.skipIf(skipUnless({ commands: ['busybox'] }))('walt-log-* node tools under busybox', () => {
  let server: ServerHandle;
  let tcpPort: number;

  const sh = (script: string, args: string[], input = '', env: NodeJS.ProcessEnv = {}) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(
        'busybox',
        ['sh', join(BIN, script), ...args],
        // PATH without walt-env: the tools take the server from walt_server_ip / walt_server_logs_port.
        { env: { PATH: '/usr/bin:/bin', walt_server_ip: '127.0.0.1', walt_server_logs_port: String(tcpPort), ...env }, timeout: 20_000 },
        (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
      child.stdin!.end(input);
    });
  const show = async (streams: string, format = '{issuer} {stream} {line}', issuers = 'server') => {
    const r = await server.walt(['log', 'show', '--issuers', issuers, '--streams', streams, '--history', 'full', '--format', format]);
    expect(r.stderr).toBe('');
    return r.stdout.trim().split('\n').filter(Boolean);
  };

  beforeAll(async () => {
    server = await startServer();
    tcpPort = ((await (await fetch(`http://${server.address}/api/v1/logs/ingestion`, { headers: await authHeaders(server.address, 'alice') })).json()) as { tcpPort: number }).tcpPort;
    expect(tcpPort).toBeGreaterThan(0);
  });
  afterAll(async () => {
    await server?.stop({ cleanup: true });
  });

  it('walt-log-echo stores the line before it returns', async () => {
    const r = await sh('walt-log-echo', ['echo-stream', 'hello  from   busybox']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(await show('^echo-stream$')).toEqual(['walt-server echo-stream hello  from   busybox']);
    const ts = await sh('walt-log-echo', ['--timestamp', '1700000000.5', 'echo-ts', 'stamped']);
    expect(ts.code).toBe(0);
    expect(await show('^echo-ts$', '{timestamp:%s.%f} {line}')).toEqual(['1700000000.500000 stamped']);
  });

  it('walt-log-cat sends every line (server, local and provided timestamps); walt-log-tee also copies them', async () => {
    const input = 'first\n  indented\\n kept\nlast without newline';
    expect(await sh('walt-log-cat', ['cat-stream'], input)).toMatchObject({ code: 0, stdout: '' });
    expect(await show('^cat-stream$', '{line}')).toEqual(['first', '  indented\\n kept', 'last without newline']);
    expect((await sh('walt-log-cat', ['--ts-local', 'cat-local'], 'a\nb\n')).code).toBe(0);
    expect(await show('^cat-local$', '{line}')).toEqual(['a', 'b']);
    expect((await sh('walt-log-cat', ['--ts-provided', 'cat-provided'], '1700000001.25 one\n1700000000 zero\n')).code).toBe(0);
    expect(await show('^cat-provided$', '{timestamp:%s.%f} {line}')).toEqual(['1700000000.000000 zero', '1700000001.250000 one']);
    const tee = await sh('walt-log-tee', ['tee-stream'], 'x\ny\n');
    expect(tee).toMatchObject({ code: 0, stdout: 'x\ny\n' });
    expect(await show('^tee-stream$', '{line}')).toEqual(['x', 'y']);
  });

  it('refuses bad usage and reports an unreachable server, non-zero', async () => {
    expect((await sh('walt-log-echo', ['only-stream'])).code).not.toBe(0);
    expect((await sh('walt-log-echo', ['bad stream', 'x'])).stderr).toContain("invalid stream name 'bad stream'");
    expect((await sh('walt-log-echo', ['--timestamp', 'soon', 's', 'x'])).stderr).toContain("invalid timestamp 'soon'");
    const down = await sh('walt-log-echo', ['s', 'x'], '', { walt_server_logs_port: '1' });
    expect(down.code).not.toBe(0);
    expect(down.stderr).toContain('could not send log lines to the WalT server at 127.0.0.1:1');
    expect((await sh('walt-log-echo', ['s', 'x'], '', { walt_server_ip: '' })).stderr).toContain('WalT server unknown');
  });

  it('identifies the issuer by the IP that connects', async () => {
    const reg = await fetch(`http://${server.address}/api/v1/devices/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await authHeaders(server.address, 'alice')) },
      body: JSON.stringify({ mac: '02:00:00:aa:bb:01', ip: '127.0.0.9', vendorClass: 'walt.node.pc-x86-64' }),
    });
    const { device } = (await reg.json()) as { device: { name: string; type: string } };
    expect(device.type).toBe('node');
    await new Promise<void>((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port: tcpPort, localAddress: '127.0.0.9' }, () => s.end('REQ_NEW_INCOMING_LOGS\nfrom-ip\nNO_TIMESTAMPS\nline one\nCLOSE\n'));
      s.on('close', () => resolve());
      s.on('error', reject);
      s.resume();
    });
    expect(await show('^from-ip$', '{issuer} {line}', device.name)).toEqual([`${device.name} line one`]);
  });

  it('survives garbage on the TCP side channel', async () => {
    for (const garbage of ['NOT_A_REQUEST\n', 'x'.repeat(10_000), 'REQ_NEW_INCOMING_LOGS\n\n', '0\nok-stream\nTIMESTAMPS_INSIDE\nnot-a-float text\n']) {
      await new Promise<void>((resolve) => {
        const s = connect({ host: '127.0.0.1', port: tcpPort }, () => s.end(garbage));
        s.on('close', () => resolve());
        s.on('error', () => resolve());
        s.resume();
      });
    }
    // a line with an unreadable timestamp is kept whole, stamped on reception
    expect(await show('^ok-stream$', '{line}')).toEqual(['not-a-float text']);
    expect((await sh('walt-log-echo', ['after-garbage', 'still here'])).code).toBe(0);
  });
});
