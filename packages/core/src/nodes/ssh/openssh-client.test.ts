import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findOpenSshClient, sshFailureReason } from './openssh-client.js';

describe('OpenSSH client lookup (walt node cp goes through the ssh2 pool without it)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'walt-t-ssh-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds an executable ssh on PATH, skipping folders without one and a non-executable file', () => {
    const empty = join(dir, 'empty');
    const plain = join(dir, 'plain');
    const bin = join(dir, 'bin');
    for (const [d, mode] of [[plain, 0o644], [bin, 0o755]] as const) {
      mkdirSync(d);
      writeFileSync(join(d, 'ssh'), '#!/bin/sh\n');
      chmodSync(join(d, 'ssh'), mode);
    }
    expect(findOpenSshClient([empty, plain, bin].join(':'))).toBe(join(bin, 'ssh'));
    expect(findOpenSshClient([empty, plain].join(':'))).toBeUndefined();
    expect(findOpenSshClient('')).toBeUndefined();
  });
});

describe("ssh's own failure, as the reason of one line that names the node", () => {
  it('keeps the reason, not the host and port the caller already names', () => {
    expect(sshFailureReason('ssh: connect to host 192.168.152.10 port 22: Connection refused\r\n')).toBe('Connection refused');
    expect(sshFailureReason('ssh: connect to host 10.0.0.9 port 22: Connection timed out\n')).toBe('Connection timed out');
    expect(sshFailureReason('root@192.168.152.10: Permission denied (publickey).\n')).toBe('Permission denied (publickey)');
    expect(sshFailureReason('kex_exchange_identification: read: Connection reset by peer\r\nConnection reset by 10.0.0.9 port 22\r\n')).toBe('Connection reset by 10.0.0.9 port 22');
    expect(sshFailureReason('Host key verification failed.\r\n')).toMatch(/not the WalT nodes' one/);
  });

  it('nothing said: the exit status 255 is the remote command\'s own', () => {
    expect(sshFailureReason('')).toBeUndefined();
    expect(sshFailureReason('\n  \n')).toBeUndefined();
  });
});
