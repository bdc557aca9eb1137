import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { toNetascii } from './block-source.js';
import { PathEscapeError, PathNotFoundError, resolveInRoot } from './root-path.js';
import { checkRequestedName } from './tftp-name.js';
import { negotiate } from './tftp-options.js';
import { decodeRequest, encodeOack, encodeRequest, TftpPacketError } from './tftp-packets.js';

describe('TFTP request decoding', () => {
  it('decodes an RRQ with options, names lowercased', () => {
    const r = decodeRequest(encodeRequest('RRQ', 'start.uboot', 'OCTET', new Map([['BLKSIZE', '1468'], ['tsize', '0']])));
    expect(r).toEqual({ op: 'RRQ', file: 'start.uboot', mode: 'octet', options: new Map([['blksize', '1468'], ['tsize', '0']]) });
  });

  it.each([
    ['truncated', Buffer.from([0, 1, 65])],
    ['no final NUL', Buffer.from('\x00\x01file\x00octet', 'latin1')],
    ['unknown mode', encodeRequest('RRQ', 'f', 'mail')],
    ['option without value', Buffer.from('\x00\x01f\x00octet\x00blksize\x00', 'latin1')],
    ['bad opcode', Buffer.from('\x00\x03f\x00octet\x00', 'latin1')],
    ['empty name', Buffer.from('\x00\x01\x00octet\x00', 'latin1')],
  ])('refuses %s', (_what, packet) => {
    expect(() => decodeRequest(packet)).toThrow(TftpPacketError);
  });
});

describe('option negotiation', () => {
  it('grants blksize, windowsize, timeout and answers tsize with the size', () => {
    const n = negotiate(new Map([['blksize', '1468'], ['windowsize', '16'], ['tsize', '0'], ['timeout', '3']]), 1234);
    expect(n).toMatchObject({ blockSize: 1468, windowSize: 16, timeoutMs: 3000 });
    expect(n.acknowledged).toEqual(new Map([['blksize', '1468'], ['timeout', '3'], ['tsize', '1234'], ['windowsize', '16']]));
  });

  it('caps at the limits and ignores malformed values', () => {
    const n = negotiate(new Map([['blksize', '99999'], ['windowsize', '1000'], ['timeout', '0'], ['foo', 'bar']]), 1, { maxBlockSize: 8192, maxWindowSize: 64, defaultTimeoutMs: 1000 });
    expect(n.acknowledged).toEqual(new Map([['blksize', '8192'], ['windowsize', '64']]));
    expect(negotiate(new Map([['blksize', '7'], ['windowsize', 'x']]), 1).acknowledged.size).toBe(0);
  });

  it('no options: plain RFC 1350, no OACK', () => {
    expect(negotiate(new Map(), 10)).toMatchObject({ blockSize: 512, windowSize: 1, acknowledged: new Map() });
    expect(encodeOack(new Map([['tsize', '5']]))).toEqual(Buffer.from('\x00\x06tsize\x005\x00', 'latin1'));
  });
});

describe('requested names', () => {
  it.each([
    ['start.uboot', 'start.uboot'],
    ['./boot//start.uboot', 'boot/start.uboot'],
    ['pxe\\walt-x86-undionly.kpxe', 'pxe/walt-x86-undionly.kpxe'],
  ])('accepts %s as %s', (raw, name) => expect(checkRequestedName(raw)).toEqual({ ok: true, name }));

  it.each(['../etc/passwd', 'a/../../b', '/etc/passwd', '\\etc\\passwd', 'C:\\x', 'a\x00b', 'a\nb', '', '.'])('refuses %j', (raw) => {
    expect(checkRequestedName(raw).ok).toBe(false);
  });
});

describe('resolution inside a root', () => {
  const dir = mkdtempSync(join(tmpdir(), 'walt-root-'));
  const root = join(dir, 'root');
  mkdirSync(join(root, 'boot/m'), { recursive: true });
  writeFileSync(join(root, 'boot/vmlinuz'), 'k');
  writeFileSync(join(dir, 'outside'), 'secret');
  symlinkSync('/boot/vmlinuz', join(root, 'boot/m/kernel'));
  symlinkSync('../vmlinuz', join(root, 'boot/m/rel'));
  symlinkSync('../../../outside', join(root, 'boot/m/escape'));
  symlinkSync(join(dir, 'outside'), join(root, 'boot/m/abs-out'));
  symlinkSync('loop', join(root, 'boot/m/loop'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('follows absolute symlinks against the root in image mode, relative ones normally', async () => {
    expect(await resolveInRoot(root, 'boot/m/kernel', 'root')).toBe(join(root, 'boot/vmlinuz'));
    expect(await resolveInRoot(root, 'boot/m/rel', 'host')).toBe(join(root, 'boot/vmlinuz'));
  });

  it('refuses links leading out, in both modes', async () => {
    await expect(resolveInRoot(root, 'boot/m/escape', 'root')).rejects.toBeInstanceOf(PathEscapeError);
    await expect(resolveInRoot(root, 'boot/m/abs-out', 'host')).rejects.toBeInstanceOf(PathEscapeError);
    // In image mode the same absolute link means <root>/<dir>/outside, which does not exist.
    await expect(resolveInRoot(root, 'boot/m/abs-out', 'root')).rejects.toBeInstanceOf(PathNotFoundError);
  });

  it('reports missing files and link loops as not found', async () => {
    await expect(resolveInRoot(root, 'boot/m/none', 'root')).rejects.toBeInstanceOf(PathNotFoundError);
    await expect(resolveInRoot(root, 'boot/m/loop', 'root')).rejects.toBeInstanceOf(PathNotFoundError);
  });
});

describe('netascii', () => {
  it('turns LF into CR LF and a lone CR into CR NUL', () => {
    expect(toNetascii(Buffer.from('a\nb\rc'))).toEqual(Buffer.from('a\r\nb\r\x00c', 'latin1'));
  });
});
