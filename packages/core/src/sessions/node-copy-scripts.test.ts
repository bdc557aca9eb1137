import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyEndMarkerArchive, copyEndMarkerName } from '@walt/session-protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { receiveCommand } from './node-copy-scripts.js';

const busybox = ['/usr/bin/busybox', '/bin/busybox'].find((p) => existsSync(p));

/** The node side of a copy to a node, run here with `sh` (as sshd runs it), fed `stream` on stdin. */
describe("walt node cp's receiving script (run locally, with GNU tar and with busybox's)", () => {
  const dir = mkdtempSync(join(tmpdir(), 'walt-g-receive-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const nonce = '0123456789abcdef';
  // One file member of exactly two tar records, none of tar's end blocks: what a client killed at a
  // member boundary leaves; GNU tar unpacks it with exit status 0.
  const src = join(dir, 'src');
  mkdirSync(src);
  writeFileSync(join(src, 'f.bin'), Buffer.alloc(20480 - 512, 5));
  const whole = execFileSync('tar', ['-c', '-f', '-', '-C', src, 'f.bin']);
  const cut = whole.subarray(0, 20480);

  const receive = (stream: Buffer, tarDir?: string) => {
    const dst = mkdtempSync(join(dir, 'dst-'));
    const env = { ...process.env, PATH: tarDir ? `${tarDir}:${process.env.PATH}` : process.env.PATH };
    const r = spawnSync('sh', ['-c', receiveCommand(dst, 'f.bin', 'file', copyEndMarkerName(nonce))], { input: stream, env, encoding: 'utf8' });
    return { status: r.status, stderr: r.stderr, left: readdirSync(dst), dst };
  };

  it('GNU tar: the copy lands only when the end marker follows it', () => {
    const complete = receive(Buffer.concat([whole, copyEndMarkerArchive(nonce)]));
    expect(complete).toMatchObject({ status: 0, left: ['f.bin'] });
    const withMarkerAfterCut = receive(Buffer.concat([cut, copyEndMarkerArchive(nonce)]));
    expect(withMarkerAfterCut.status).toBe(0);
    const cutShort = receive(cut);
    expect(cutShort.status).not.toBe(0);
    expect(cutShort.stderr).toMatch(/cut short/);
    expect(cutShort.left).toEqual([]);
    const noMarker = receive(whole);
    expect(noMarker).toMatchObject({ status: 1, left: [] });
  });

  it.skipIf(!busybox)("busybox tar (no -i): the first archive lands, as before the marker", () => {
    const bb = join(dir, 'bb');
    mkdirSync(bb);
    symlinkSync(busybox!, join(bb, 'tar'));
    const got = receive(Buffer.concat([whole, copyEndMarkerArchive(nonce)]), bb);
    expect(got).toMatchObject({ status: 0, left: ['f.bin'] });
    expect(readFileSync(join(got.dst, 'f.bin')).equals(readFileSync(join(src, 'f.bin')))).toBe(true);
  });
});
