import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findOpenSshClient } from './openssh-client.js';

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
