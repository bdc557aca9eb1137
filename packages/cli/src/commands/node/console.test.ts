import { describe, expect, it } from 'vitest';
import { ConsoleEscape } from './console.js';

describe('console escape', () => {
  it('detaches on ctrl-a d, sends ctrl-a on ctrl-a a, passes the rest', () => {
    const e = new ConsoleEscape();
    expect(e.feed(Buffer.from('ls\r'))).toEqual({ send: Buffer.from('ls\r'), detach: false });
    expect(e.feed(Buffer.from('\x01a'))).toEqual({ send: Buffer.from('\x01'), detach: false });
    expect(e.feed(Buffer.from('\x01x'))).toEqual({ send: Buffer.from('\x01x'), detach: false });
    expect(e.feed(Buffer.from('ab\x01d'))).toEqual({ send: Buffer.from('ab'), detach: true });
  });

  it('keeps a ctrl-a split across reads', () => {
    const e = new ConsoleEscape();
    expect(e.feed(Buffer.from('\x01'))).toEqual({ send: Buffer.alloc(0), detach: false });
    expect(e.feed(Buffer.from('d')).detach).toBe(true);
  });
});
