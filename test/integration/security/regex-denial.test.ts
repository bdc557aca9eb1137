import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { udhcpc } from '../../helpers/dhcp-client.js';
import { inNetns, ip, type TestNetwork } from '../../helpers/netns.js';
import { startNamespaceServer, type NamespaceServer } from '../../helpers/namespace-server.js';
import { skipUnless } from '../../helpers/prerequisites.js';
import { REPO, WALT_BIN, nodeCommand, type ServerHandle } from '../../helpers/walt-processes.js';

const MAC = 'b8:27:eb:00:77:01';
const EVIL = '(a+)+$';
/** 40 a and a !: a backtracking engine tries 2^40 ways before it says no. */
const BAD_LINE = `${'a'.repeat(40)}!`;

/**
 * Issue 14 item 2: a user's catastrophic regular expression, in realtime and history, while a node
 * sends the line that would trigger the backtracking; DHCP and TFTP must keep answering, and the
 * server must still stop on SIGTERM.
 */
describe.skipIf(skipUnless({ root: true, commands: ['ip', 'busybox', 'tftp', 'curl'] }))('a catastrophic regular expression does not stop the server', () => {
  let net: TestNetwork;
  let server: ServerHandle;
  let ns: NamespaceServer;

  beforeAll(async () => {
    ns = await startNamespaceServer({ tag: 'regex', subnet: '192.168.171' });
    ({ net, server } = ns);
  });

  afterAll(() => ns?.stop());

  it(`'${EVIL}' over a line of 40 a and !: realtime and history answer, DHCP and TFTP keep serving, SIGTERM stops the server`, async () => {
    const client = net.addClient(MAC);
    const lease = udhcpc(client.ns, client.ifname, { vendorClass: 'walt.node.rpi-3-b-plus' });
    ip('-n', client.ns, 'addr', 'add', `${lease.ip}/${net.prefix}`, 'dev', client.ifname);
    const tcpPort = Number((await server.waitForOutput(/TCP side channel on port (\d+)/))[1]);

    // A user follows the logs with the pattern.
    const [cmd, ...pre] = nodeCommand(net.serverNs);
    const realtime = spawn(cmd, [...pre, WALT_BIN, 'log', 'show', '--realtime', '--issuers', 'all-nodes', '--format', '{line}', EVIL], {
      cwd: REPO,
      // The config file of the server handle's walt runs: alice's token, claimed in the namespace, is there.
      env: { ...process.env, WALT_SERVER: server.address, WALT_USER: 'alice', WALT_CONFIG_FILE: join(server.dataDir, 'client-config-unused') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let seen = '';
    realtime.stdout.on('data', (d) => (seen += d));
    realtime.stderr.on('data', (d) => (seen += d));
    try {
      await new Promise((r) => setTimeout(r, 1500)); // the realtime session is open
      // The node sends the line (its own tool, over the node channel), then one that matches.
      const echo = (line: string) =>
        inNetns(client.ns, 'env', ['walt_server_ip=' + net.serverIp, `walt_server_logs_port=${tcpPort}`, 'busybox', 'sh', join(REPO, 'packages/core/node-files/bin/walt-log-echo'), 'exp', line], 20_000);
      echo(BAD_LINE);
      echo('aaaa');
      for (let i = 0; i < 200 && !seen.includes('aaaa'); i++) await new Promise((r) => setTimeout(r, 50));
      expect(seen.split('\n').filter(Boolean)).toEqual(['aaaa']);

      // DHCP and TFTP still answer.
      expect(udhcpc(client.ns, client.ifname, { vendorClass: 'walt.node.rpi-3-b-plus' }).ip).toBe(lease.ip);
      const out = join(mkdtempSync(join(tmpdir(), 'walt-h-regex-tftp-')), 'start.uboot');
      inNetns(client.ns, 'tftp', ['-m', 'binary', net.serverIp, '-c', 'get', 'start.uboot', out], 20_000);
      expect(readFileSync(out, 'utf8')).toBe('uboot script');

      // History with the same pattern answers too.
      const history = await server.walt(['log', 'show', '--history', 'full', '--issuers', 'all-nodes', '--format', '{line}', EVIL], { timeoutMs: 20_000 });
      expect(history.stderr).toBe('');
      expect(history.stdout.trim()).toBe('aaaa');
      const wait = await server.walt(['log', 'wait', '--issuers', 'all-nodes', '--time-margin', '600', '--timeout', '5', EVIL], { timeoutMs: 20_000 });
      expect(wait.code, wait.stderr).toBe(0);
    } finally {
      realtime.kill();
    }
    // SIGTERM is honoured (a busy main thread would ignore it until SIGKILL).
    const exited = new Promise<NodeJS.Signals | number | null>((r) => server.process.once('exit', (code, signal) => r(signal ?? code)));
    server.process.kill('SIGTERM');
    const how = await Promise.race([exited, new Promise((r) => setTimeout(() => r('still running'), 5000))]);
    expect(how).not.toBe('still running');
  });
});
