import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverSshKeys } from '../../images/server-ssh-keys.js';
import { NodeSshPool } from './node-ssh-pool.js';

/**
 * A node's sshd offers the shared WalT host key (ECDSA, put in every image view) and also the
 * image's own host keys (Debian's openssh-server made ed25519 and rsa ones). The pool asked for any
 * key type, ssh2 preferred ed25519, and every session to the real qemu node failed with "its SSH host
 * key is not the WalT nodes' one". An ssh2 server on loopback plays that node.
 */
describe('NodeSshPool against a node whose sshd also offers its image’s own host keys', () => {
  let dir: string;
  let server: ssh2.Server;
  let port: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'walt-ssh-pool-'));
    const keysDir = join(dir, 'keys');
    serverSshKeys(keysDir);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'image_host_ed25519_key')], { stdio: 'ignore' });
    server = new ssh2.Server({ hostKeys: [readFileSync(join(dir, 'image_host_ed25519_key')), readFileSync(join(keysDir, 'ssh_host_ecdsa_key'))] }, (client) => {
      client.on('error', () => undefined);
      client.on('authentication', (ctx) => (ctx.method === 'publickey' && ctx.username === 'root' ? ctx.accept() : ctx.reject(['publickey'])));
      client.on('session', (accept) => {
        accept().on('exec', (acceptExec, _reject, info) => {
          const ch = acceptExec();
          ch.write(`ran: ${info.command}\n`);
          ch.exit(0);
          ch.end();
        });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(() => {
    server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('verifies the shared WalT key (it asks for that key type only) and runs the command', async () => {
    const pool = new NodeSshPool({ keysDir: join(dir, 'keys'), port });
    try {
      const ch = await pool.exec('127.0.0.1', 'node-a', 'uname -a');
      const out = await new Promise<string>((resolve) => {
        let text = '';
        ch.on('data', (d: Buffer) => (text += d));
        ch.on('close', () => resolve(text));
      });
      expect(out).toBe('ran: uname -a\n');
    } finally {
      pool.close();
    }
  });
});
