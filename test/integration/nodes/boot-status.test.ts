import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DirectoryImageStore } from '../../../packages/core/src/images/directory-image-store.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type ServerHandle } from '../../helpers/walt-processes.js';
import { authHeaders } from '../../helpers/api-token.js';

/** The node side of walt-notify-bootup: connect from the node's IP, send the request line, then a byte. */
function notifyBootup(port: number, localAddress: string): Promise<{ socket: Socket; reply: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, localAddress }, () => socket.write('REQ_NOTIFY_BOOTUP_STATUS\n'));
    socket.once('error', reject);
    socket.once('data', (d) => {
      socket.write('\n');
      resolve({ socket, reply: d.toString() });
    });
  });
}

async function platformNodesLines(server: ServerHandle): Promise<string> {
  const r = await server.walt(['log', 'show', '--platform', '--history', 'full', '--format', '{line}']);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

describe('node boot status: bootup notifications, the booted column and walt node wait', () => {
  let server: ServerHandle;
  let tcpPort: number;
  let images: string;

  beforeAll(async () => {
    images = mkdtempSync(join(tmpdir(), 'walt-bootstatus-images-'));
    // The model's default image is there, so the registered device is a node at once.
    DirectoryImageStore.writeImage(images, 'waltplatform/pc-x86-64-default:latest', { 'boot/pc-x86-64/start.ipxe': '#!ipxe\n' }, { models: ['pc-x86-64'] });
    server = await startServer({
      config: `network:\n  walt-net:\n    raw-device: null\n    ip: 192.168.152.1/24\nimages:\n  directory: ${images}\napi:\n  port: 0\n`,
    });
    const base = `http://${server.address}`;
    const reg = await fetch(`${base}/api/v1/devices/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await authHeaders(base, 'alice')) },
      body: JSON.stringify({ mac: '02:00:00:bb:00:01', ip: '127.0.0.11', vendorClass: 'walt.node.pc-x86-64' }),
    });
    expect(reg.ok).toBe(true);
    tcpPort = ((await (await fetch(`${base}/api/v1/logs/ingestion`, { headers: await authHeaders(base, 'alice') })).json()) as { tcpPort: number }).tcpPort;
  });
  afterAll(async () => {
    await server?.stop({ cleanup: true });
    rmSync(images, { recursive: true, force: true });
  });

  it('walt node wait times out with "Timeout was reached." while the node has not notified', async () => {
    const r = await server.walt(['node', 'wait', '--timeout', '1', 'node-bb0001']);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim()).toBe('Error: Timeout was reached.');
    const show = await server.walt(['node', 'show', '--all', '--json']);
    expect(JSON.stringify(JSON.parse(show.stdout))).toContain('"booted":"NO"');
  });

  it('refuses a bad --timeout and an unknown node in one line', async () => {
    const bad = await server.walt(['node', 'wait', '--timeout', 'soon', 'node-bb0001']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    const unknown = await server.walt(['node', 'wait', 'no-such-node']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('no-such-node');
  });

  it('a notification marks the node booted, wakes waiters, and its loss marks it down', async () => {
    const waiting = server.walt(['node', 'wait', '--timeout', '20', 'node-bb0001']);
    await new Promise((r) => setTimeout(r, 300));
    const { socket, reply } = await notifyBootup(tcpPort, '127.0.0.11');
    expect(reply).toBe('OK\n');
    const waited = await waiting;
    expect(waited.code, waited.stderr).toBe(0);
    const show = await server.walt(['node', 'show', '--all', '--json']);
    expect(JSON.stringify(JSON.parse(show.stdout))).toContain('"booted":"yes"');
    expect(await platformNodesLines(server)).toContain('node node-bb0001 is booted');

    socket.destroy();
    await new Promise((r) => setTimeout(r, 500));
    expect(await platformNodesLines(server)).toContain('node node-bb0001 is down (cause: unknown, note: server-detected disconnection)');
    const after = await server.walt(['node', 'show', '--all', '--json']);
    expect(JSON.stringify(JSON.parse(after.stdout))).toContain('"booted":"NO"');
  });

  it('refuses a notification from an address that is not a registered node', async () => {
    const { reply, socket } = await notifyBootup(tcpPort, '127.0.0.12');
    expect(reply).toMatch(/^KO /);
    socket.destroy();
  });

  it('walt node acquire reboots the node (soft reboot through its TCP 12346 service) and says so', async () => {
    const requests: string[] = [];
    const nodeService = createServer((sock) => {
      let got = '';
      sock.on('data', (d) => {
        got += d.toString();
        if (got.includes('REBOOT\n')) {
          requests.push(got);
          sock.end('OK\n');
        }
      });
    });
    await new Promise<void>((r) => nodeService.listen(12346, '127.0.0.11', r));
    try {
      const r = await server.walt(['node', 'acquire', 'node-bb0001']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('Node node-bb0001: rebooted OK.\n');
      const deadline = Date.now() + 20_000;
      let lines = '';
      while (Date.now() < deadline && !lines.includes('rebooted OK')) {
        await new Promise((res) => setTimeout(res, 200));
        lines = await platformNodesLines(server);
      }
      expect(requests).toEqual(['MODE single\nREBOOT\n']);
      expect(lines).toContain('Node node-bb0001: rebooted OK. (cause: acquire)');
    } finally {
      nodeService.close();
    }
  });
});
