import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestNetwork, inNetns, ip, spawnInNetns, type TestNetwork } from '../../helpers/netns.js';
import { skipUnless } from '../../helpers/prerequisites.js';
import { WALT_BIN, WALT_SERVER_BIN } from '../../helpers/walt-processes.js';

/**
 * With a raw device on walt-net and walt-net listed in api.listen (not the default: see
 * security/authentication.test.ts), the API answers on 127.0.0.1 and, in HTTPS, on the server's
 * walt-net address, so a machine on walt-net (here a client network namespace) reaches it.
 */
describe.skipIf(skipUnless({ root: true, commands: ['ip', 'ss'] }))('API on the walt-net address', () => {
  let net: TestNetwork;
  let dir: string;
  let server: ChildProcess;
  let out = '';
  let port = 0;
  let client: { ns: string; ifname: string };

  beforeAll(async () => {
    net = createTestNetwork({ tag: `api${process.pid % 1000}`, subnet: '192.168.231' });
    client = net.addClient('52:54:00:aa:01:02');
    ip('-n', client.ns, 'addr', 'add', `192.168.231.50/${net.prefix}`, 'dev', client.ifname);
    dir = mkdtempSync(join(tmpdir(), 'walt-api-net-'));
    const config = join(dir, 'server.conf');
    writeFileSync(config, `network:\n  walt-net:\n    raw-device: ${net.serverIf}\n    ip: ${net.serverIp}/${net.prefix}\napi:\n  port: 0\n  listen: [walt-net]\n`);
    server = spawnInNetns(net.serverNs, process.execPath, [WALT_SERVER_BIN, 'start', '--config', config, '--data-dir', join(dir, 'data')]);
    server.stdout!.on('data', (d) => (out += d));
    server.stderr!.on('data', (d) => (out += d));
    port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 30_000);
      server.stdout!.on('data', () => {
        const m = /listening on http:\/\/[\d.]+:(\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      server.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`server exited with ${code}: ${out}`));
      });
    });
  });

  afterAll(async () => {
    if (server && server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGTERM');
      const t = setTimeout(() => server.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    }
    net?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const waltFrom = (ns: string, address: string) =>
    inNetns(ns, 'env', [`WALT_SERVER=${address}:${port}`, 'WALT_USER=alice', `WALT_CONFIG_FILE=${join(dir, 'client-config')}`, process.execPath, WALT_BIN, 'device', 'show', '--json']);

  it('answers on 127.0.0.1 inside the server namespace', () => {
    expect(JSON.parse(waltFrom(net.serverNs, '127.0.0.1'))).toContainEqual(expect.objectContaining({ name: 'walt-server', ip: net.serverIp }));
  });

  it('answers on the walt-net address, from a machine on walt-net', () => {
    expect(JSON.parse(waltFrom(client.ns, net.serverIp))).toContainEqual(expect.objectContaining({ name: 'walt-server', type: 'server' }));
  });

  it('does not listen on other addresses of the server', () => {
    const sockets = inNetns(net.serverNs, 'ss', ['-Hltn', `sport = :${port}`]);
    const locals = sockets
      .trim()
      .split('\n')
      .map((l) => l.trim().split(/\s+/)[3]);
    expect(locals.sort()).toEqual([`127.0.0.1:${port}`, `${net.serverIp}:${port}`].sort());
  });
});
