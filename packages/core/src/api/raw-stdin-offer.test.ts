import { Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { TLSSocket } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { rawStdinOffered } from './raw-stdin-offer.js';

describe('raw stdin is accepted only where a process can read the client bytes', () => {
  const asked = { 'walt-session-stdin': 'raw' };
  const none = Buffer.alloc(0);

  it('plain TCP, asked, nothing sent ahead', () => {
    expect(rawStdinOffered(asked, new Socket(), none)).toBe(true);
  });

  it('never over TLS, never unasked, never with bytes already read, never on a socket that is not TCP', () => {
    expect(rawStdinOffered(asked, new TLSSocket(new Socket()), none)).toBe(false);
    expect(rawStdinOffered({}, new Socket(), none)).toBe(false);
    expect(rawStdinOffered({ 'walt-session-stdin': 'yes' }, new Socket(), none)).toBe(false);
    expect(rawStdinOffered(asked, new Socket(), Buffer.from('x'))).toBe(false);
    expect(rawStdinOffered(asked, new PassThrough(), none)).toBe(false);
  });
});
