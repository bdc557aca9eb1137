import { afterAll, describe, expect, it } from 'vitest';
import { compilePosixRegex } from './posix-regex.js';
import { RegexWorker } from './regex-worker.js';

const worker = new RegexWorker();
afterAll(() => worker.close());

/** Does the user's pattern find a match in each text (run on the regex worker, as the server does)? */
async function finds(source: string, ...texts: string[]): Promise<boolean[]> {
  return [...(await worker.match(compilePosixRegex(source).pattern, texts))].map((v) => v === 1);
}

describe('compilePosixRegex', () => {
  it('searches unanchored, as the original', async () => {
    expect(await finds('node', 'new node name=x')).toEqual([true]);
    expect(await finds('^new', 'a new node')).toEqual([false]);
    expect(await finds('platform.*', 'platform.devices')).toEqual([true]);
  });

  it('understands POSIX bracket classes and a leading ]', async () => {
    expect(await finds('ip=[[:digit:].]+$', 'ip=192.168.152.14', 'ip=None')).toEqual([true, false]);
    expect(await finds('[]x]', ']')).toEqual([true]);
    expect(await finds('^ *[^[:space:]]+ $', '  ab ', '  a b ')).toEqual([true, false]);
    expect(await finds('x{2,3}|y', 'xx')).toEqual([true]);
  });

  it('refuses invalid expressions in one line', () => {
    for (const bad of ['a(', '[[:nope:]]', '[abc', '*x', '(a)\\1', 'x'.repeat(1001)]) {
      expect(() => compilePosixRegex(bad)).toThrow(/^Invalid regular expression: /);
    }
  });

  it('matches in linear time: (a+)+$ against 40 a and ! answers at once (issue 14 item 2)', async () => {
    const line = `${'a'.repeat(40)}!`;
    expect(await finds('(a+)+$', line, 'aaa')).toEqual([false, true]);
  });
});
