import { describe, expect, it } from 'vitest';
import { acceptedTimestamp, checkStreamName } from './ingest-rules.js';

const NOW = 1_700_000_000_000_000;

describe('ingest rules', () => {
  it('keeps plausible node timestamps, replaces absurd ones by the reception time', () => {
    expect(acceptedTimestamp(1_699_999_999.25, NOW)).toBe(1_699_999_999_250_000);
    expect(acceptedTimestamp(1_700_000_000.5, NOW)).toBe(NOW + 500_000);
    expect(acceptedTimestamp(1_700_000_002, NOW)).toBe(NOW);
    expect(acceptedTimestamp(12, NOW)).toBe(NOW);
    expect(acceptedTimestamp(Number.NaN, NOW)).toBe(NOW);
  });

  it('refuses empty, spaced or control-character stream names', () => {
    expect(checkStreamName('experiment.run-1')).toBeNull();
    expect(checkStreamName('')).toMatch(/missing stream name/);
    expect(checkStreamName('a b')).toMatch(/invalid stream name/);
    expect(checkStreamName('a\u0001')).toMatch(/invalid stream name/);
    expect(checkStreamName('x'.repeat(256))).toMatch(/too long/);
  });
});
