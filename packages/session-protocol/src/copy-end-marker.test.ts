import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { copyEndMarkerArchive, copyEndMarkerName, copyEndNonce } from './copy-end-marker.js';

describe('the end marker of a copy to a node', () => {
  const dir = mkdtempSync(join(tmpdir(), 'walt-g-marker-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is a tar archive GNU tar reads: one empty file named after the nonce', () => {
    const nonce = copyEndNonce(randomBytes);
    expect(nonce).toMatch(/^[0-9a-f]{16}$/);
    const listed = execFileSync('tar', ['-t', '-v', '-f', '-'], { input: copyEndMarkerArchive(nonce), encoding: 'utf8' });
    expect(listed).toMatch(new RegExp(`^-rw------- .* 0 .*\\.walt-cp-end\\.${nonce}\\n$`));
  });

  it('after another archive, `tar -x -i` unpacks both; without -i the marker is not reached', () => {
    const nonce = copyEndNonce(randomBytes);
    const content = execFileSync('tar', ['-c', '-f', '-', '-C', '/etc', 'hostname']);
    const stream = Buffer.concat([content, copyEndMarkerArchive(nonce)]);
    const withI = join(dir, 'with-i');
    const without = join(dir, 'without');
    execFileSync('mkdir', [withI, without]);
    execFileSync('tar', ['-x', '-i', '-f', '-', '-C', withI], { input: stream });
    execFileSync('tar', ['-x', '-f', '-', '-C', without], { input: stream });
    expect(readdirSync(withI).sort()).toEqual(['.walt-cp-end.' + nonce, 'hostname'].sort());
    expect(statSync(join(withI, copyEndMarkerName(nonce))).size).toBe(0);
    expect(readdirSync(without)).toEqual(['hostname']);
  });

  it('refuses a nonce that is not hex (it becomes a file name on the node)', () => {
    expect(() => copyEndMarkerName('../x')).toThrow(/invalid copy end nonce/);
    expect(() => copyEndMarkerName('abc')).toThrow(/invalid/);
  });
});
