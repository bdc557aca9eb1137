import { describe, expect, it } from 'vitest';
import { INVALID_HISTORY_RANGE, parseHistoryRange, relativeDate } from './history-range.js';

const NOW = 1_700_000_000_000_000;
const cps: Record<string, number> = { cp1: NOW - 60_000_000, cp2: NOW - 10_000_000 };
const parse = (t: string) => parseHistoryRange(t, NOW, (n) => cps[n]);

describe('parseHistoryRange', () => {
  it('reads none, full and open ranges', () => {
    expect(parse('none')).toBeNull();
    expect(parse('NONE')).toBeNull();
    expect(parse('full')).toEqual({ after: null, before: null });
    expect(parse(':')).toEqual({ after: null, before: null });
  });

  it('reads relative bounds from server time', () => {
    expect(parse('-40s:')).toEqual({ after: NOW - 40_000_000, before: null });
    expect(parse('-5m:-1m')).toEqual({ after: NOW - 300_000_000, before: NOW - 60_000_000 });
    expect(parse(':-1h')).toEqual({ after: null, before: NOW - 3_600_000_000 });
    expect(relativeDate('-10d', NOW)).toBe(NOW - 10 * 86_400_000_000);
  });

  it('reads checkpoint names', () => {
    expect(parse('cp1:cp2')).toEqual({ after: cps.cp1, before: cps.cp2 });
    expect(parse('cp1:')).toEqual({ after: cps.cp1, before: null });
  });

  it('refuses malformed ranges with the original messages', () => {
    expect(() => parse('a:b:c')).toThrow(INVALID_HISTORY_RANGE);
    expect(() => parse('-5')).toThrow(INVALID_HISTORY_RANGE);
    expect(() => parse('5m:')).toThrow(INVALID_HISTORY_RANGE);
    expect(() => parse('-5x:')).toThrow("Invalid relative date. Should be: -<int>[dhms] (e.g. '-6h' for 'six hours ago')");
    expect(() => parse('-m:')).toThrow('Invalid relative date');
    expect(() => parse('nocp:')).toThrow("Failed: no checkpoint with this name 'nocp'.");
    expect(() => parse('_x:')).toThrow(INVALID_HISTORY_RANGE);
    expect(() => parse('cp2:cp1')).toThrow('the starting point is newer than the ending point');
    expect(() => parse('-1m:-5m')).toThrow('the starting point is newer than the ending point');
  });
});
