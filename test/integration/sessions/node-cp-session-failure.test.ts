import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerWithLoopbackPcNode } from '../../helpers/loopback-pc-node.js';
import type { ServerHandle } from '../../helpers/walt-processes.js';

// Engineer V's loopback address: a "node" that notified its bootup but runs no SSH server.
const NODE_IP = '127.86.0.1';

/**
 * `walt node cp <big file> <node>:<path>` when the server cannot open the SSH session (here nothing
 * listens on the node's port 22; on the real qemu node it was a refused host key): the server sends
 * the error, but the client never exited: its tar, blocked on a full pipe, kept it alive.
 */
describe('walt node cp with a node whose SSH session fails', () => {
  let server: ServerHandle;
  let dir: string;
  let notification: Socket | undefined;

  beforeAll(async () => {
    const started = await startServerWithLoopbackPcNode('walt-v-cp-fail-', '02:00:00:86:00:01', NODE_IP);
    ({ server, dir } = started);
    const { base, headers } = started;
    const { tcpPort } = (await (await fetch(`${base}/api/v1/logs/ingestion`, { headers })).json()) as { tcpPort: number };
    // The node says it is booted (walt-notify-bootup), from its own address.
    notification = await new Promise<Socket>((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port: tcpPort, localAddress: NODE_IP }, () => s.write('REQ_NOTIFY_BOOTUP_STATUS\n'));
      s.once('error', reject);
      s.once('data', () => {
        s.write('\n');
        resolve(s);
      });
    });
    await server.waitForOutput(/node node-860001 is booted/, 10_000);
    // Far more than the pipes and socket buffers hold: tar blocks writing it.
    writeFileSync(join(dir, 'big.bin'), Buffer.alloc(32 * 1024 * 1024, 1));
  });

  afterAll(async () => {
    notification?.destroy();
    await server?.stop({ cleanup: true });
    rmSync(dir, { recursive: true, force: true });
  });

  // Through OpenSSH's ssh when the server has it (copies use it), else the ssh2 pool: the same one line naming the node.
  const ONE_LINE_WHY = /^Error: cannot reach node-860001 over SSH: [^\n]*(refused|ECONNREFUSED)[^\n]*$/;

  it('says why in one line and exits non-zero, at once', async () => {
    const r = await server.walt(['node', 'cp', join(dir, 'big.bin'), 'node-860001:/tmp/big.bin'], { timeoutMs: 20_000 });
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim()).toMatch(ONE_LINE_WHY);
  }, 30_000);

  it('from the node too (its tar waited for input that never comes), leaving nothing behind', async () => {
    const into = join(dir, 'into');
    mkdirSync(into);
    const r = await server.walt(['node', 'cp', 'node-860001:/etc/hostname', into], { timeoutMs: 20_000 });
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim()).toMatch(ONE_LINE_WHY);
    expect(readdirSync(into)).toEqual([]);
  }, 30_000);
});
