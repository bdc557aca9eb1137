import { rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerWithLoopbackPcNode } from '../../helpers/loopback-pc-node.js';
import { platformLines } from '../../helpers/platform-log.js';
import type { ServerHandle } from '../../helpers/walt-processes.js';

// Engineer V's loopback address for this node.
const NODE_IP = '127.86.0.2';

/**
 * A soft reboot: the node's net service says OK, then the node keeps running for a while (a real one
 * takes seconds to reset) and its walt-notify-bootup still writes on the connection from before.
 * That byte marked the node booted again ("node ... is booted" right after "rebooted OK", seen with
 * the qemu node), so `walt node wait` and the tests went on while it was going down.
 */
describe('a node rebooted softly is not booted again by its notification connection from before', () => {
  let server: ServerHandle;
  let dir: string;
  let service: Server;
  let notification: Socket;

  beforeAll(async () => {
    const started = await startServerWithLoopbackPcNode('walt-v-stale-', '02:00:00:86:00:02', NODE_IP);
    ({ server, dir } = started);
    const { base, headers } = started;
    // The node's net service: accepts the soft reboot.
    service = createServer((sock) => {
      sock.on('error', () => undefined);
      sock.on('data', (d) => {
        if (d.toString().includes('REBOOT')) sock.end('OK\n');
      });
    });
    await new Promise<void>((resolve) => service.listen(12346, NODE_IP, () => resolve()));
    const { tcpPort } = (await (await fetch(`${base}/api/v1/logs/ingestion`, { headers })).json()) as { tcpPort: number };
    notification = await new Promise<Socket>((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port: tcpPort, localAddress: NODE_IP }, () => s.write('REQ_NOTIFY_BOOTUP_STATUS\n'));
      s.once('error', reject);
      s.once('data', () => {
        s.write('\n');
        resolve(s);
      });
    });
    notification.on('error', () => undefined);
    await server.waitForOutput(/node node-860002 is booted/, 10_000);
  });

  afterAll(async () => {
    notification?.destroy();
    service?.close();
    await server?.stop({ cleanup: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('after walt node reboot, a byte on the old connection leaves it not booted', async () => {
    const r = await server.walt(['node', 'reboot', 'node-860002']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('rebooted OK');
    notification.write('\n'); // the node, still up for a moment, notifies on its old connection
    await new Promise((res) => setTimeout(res, 1500));
    const lines = platformLines(server.dataDir, 'platform.nodes');
    const after = lines.slice(lines.findIndex((l) => l.includes('rebooted OK')));
    expect(after.filter((l) => l === 'node node-860002 is booted')).toEqual([]);
    const show = await server.walt(['node', 'show', '--all', '--json']);
    expect(JSON.stringify(JSON.parse(show.stdout))).toContain('"booted":"NO"');
  }, 30_000);
});
