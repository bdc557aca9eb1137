import { describe, expect, it } from 'vitest';
import { FrameDecoder, FrameError, FrameType, MAX_FRAME_PAYLOAD, encodeFrame, encodeFrameHeader } from './frame-codec.js';

describe('session frame codec', () => {
  it('decodes frames split anywhere and glued together', () => {
    const bytes = Buffer.concat([encodeFrame(FrameType.stdout, Buffer.from('hello')), encodeFrame(FrameType.eof), encodeFrame(FrameType.exit, Buffer.from('{"status":0}'))]);
    const decoder = new FrameDecoder();
    const frames: [number, string][] = [];
    for (const byte of bytes) {
      decoder.push(Buffer.from([byte]));
      for (let f = decoder.next(); f; f = decoder.next()) {
        // a stream frame's payload may come in pieces: consecutive pieces of one type are one frame here
        const last = frames.at(-1);
        if (f.type === FrameType.stdout && last?.[0] === FrameType.stdout && last[1] !== 'hello') last[1] += f.payload.toString();
        else frames.push([f.type, f.payload.toString()]);
      }
    }
    expect(frames).toEqual([
      [FrameType.stdout, 'hello'],
      [FrameType.eof, ''],
      [FrameType.exit, '{"status":0}'],
    ]);
  });

  it('a stream frame is delivered as its bytes arrive, without copies; a control frame comes whole', () => {
    const data = Buffer.alloc(100_000, 7);
    const bytes = Buffer.concat([encodeFrame(FrameType.stdin, data), encodeFrame(FrameType.resize, Buffer.from('{"cols":80,"rows":24}'))]);
    const decoder = new FrameDecoder();
    const chunks = [bytes.subarray(0, 65_536), bytes.subarray(65_536, 100_010), bytes.subarray(100_010)].map((c) => Buffer.from(c));
    const got: { type: number; length: number; shared: boolean; text?: string }[] = [];
    for (const c of chunks) {
      decoder.push(c);
      for (let f = decoder.next(); f; f = decoder.next()) {
        got.push({ type: f.type, length: f.payload.length, shared: f.payload.buffer === c.buffer, ...(f.type === FrameType.resize ? { text: f.payload.toString() } : {}) });
      }
    }
    expect(got).toEqual([
      { type: FrameType.stdin, length: 65_531, shared: true },
      { type: FrameType.stdin, length: 34_469, shared: true },
      { type: FrameType.resize, length: 21, shared: true, text: '{"cols":80,"rows":24}' },
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
