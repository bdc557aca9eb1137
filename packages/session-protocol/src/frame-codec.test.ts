import { describe, expect, it } from 'vitest';
import { FrameDecoder, FrameError, FrameType, MAX_FRAME_PAYLOAD, encodeFrame, encodeFrameHeader } from './frame-codec.js';

describe('session frame codec', () => {
  it('decodes frames split anywhere and glued together', () => {
    const bytes = Buffer.concat([encodeFrame(FrameType.stdout, Buffer.from('hello')), encodeFrame(FrameType.eof), encodeFrame(FrameType.exit, Buffer.from('{"status":0}'))]);
    const decoder = new FrameDecoder();
    const frames: [number, string][] = [];
    for (const byte of bytes) {
      decoder.push(Buffer.from([byte]));
      for (let f = decoder.next(); f; f = decoder.next()) frames.push([f.type, f.payload.toString()]);
    }
    expect(frames).toEqual([
      [FrameType.stdout, 'hello'],
      [FrameType.eof, ''],
      [FrameType.exit, '{"status":0}'],
    ]);
  });

  it('refuses an unknown type and an oversized length before buffering it', () => {
    const unknown = new FrameDecoder();
    unknown.push(Buffer.from([99, 0, 0, 0, 0]));
    expect(() => unknown.next()).toThrow(FrameError);
    const huge = new FrameDecoder();
    huge.push(encodeFrameHeader(FrameType.stdin, MAX_FRAME_PAYLOAD + 1));
    expect(() => huge.next()).toThrow(/too large/);
  });
});
