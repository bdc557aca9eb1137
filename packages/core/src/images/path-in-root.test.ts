import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pathInRoot } from './path-in-root.js';

describe('pathInRoot', () => {
  const root = mkdtempSync(join(tmpdir(), 'walt-pir-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'usr/bin'), { recursive: true });
  symlinkSync('/usr/bin', join(root, 'bin'));
  symlinkSync('../../..', join(root, 'usr/bin/up'));
  it('follows absolute symlinks inside the root, not on the host', () => {
    expect(pathInRoot(root, 'bin/walt-init')).toBe(join(root, 'usr/bin/walt-init'));
  });
  it('never climbs above the root', () => {
    expect(pathInRoot(root, 'bin/up/etc/passwd')).toBe(join(root, 'etc/passwd'));
    expect(pathInRoot(root, 'usr/bin/up/../../../x')).toBe(join(root, 'x'));
    expect(pathInRoot(root, '../../etc/hosts')).toBe(join(root, 'etc/hosts'));
  });
});
