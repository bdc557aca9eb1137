import { describe, expect, it } from 'vitest';
import { checkpointDate } from './checkpoint-date.js';

const NOW = 1_700_000_000_000_000;

describe('checkpointDate', () => {
  it('is now by default, relative with -<n>[smhd], local time otherwise', () => {
    expect(checkpointDate(undefined, NOW)).toBe(NOW);
    expect(checkpointDate('-2m', NOW)).toBe(NOW - 120_000_000);
    expect(checkpointDate('2015-09-28 15:16:39', NOW)).toBe(new Date(2015, 8, 28, 15, 16, 39).getTime() * 1000);
  });

  it('refuses what it cannot read, with the expected format', () => {
    for (const bad of ['yesterday', '2015-09-28', '2015-02-30 10:00:00', '2015-09-28 25:00:00']) {
      expect(() => checkpointDate(bad, NOW)).toThrow('Could not parse the date specified. Expected format is: <YYYY>-<MM>-<DD> <hh>:<mm>:<ss>');
    }
    expect(() => checkpointDate('-2y', NOW)).toThrow('Invalid relative date');
  });
});
