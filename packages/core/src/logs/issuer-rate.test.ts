import { describe, expect, it } from 'vitest';
import { IssuerRate } from './issuer-rate.js';

describe('IssuerRate (per-node log rate, issue 14 item 5)', () => {
  it('lets a burst through, then makes a node wait in proportion to what it sent, each node on its own', () => {
    let t = 0;
    const rate = new IssuerRate({ bytesPerSecond: 1000, burstBytes: 5000 }, () => t);
    expect(rate.take('a', 5000)).toBe(0);
    expect(rate.take('a', 2000)).toBe(2000); // 2,000 bytes over: 2 s at 1,000 B/s
    expect(rate.take('b', 4000)).toBe(0);
    t = 2000;
    expect(rate.take('a', 0)).toBe(0);
    t = 100_000;
    expect(rate.take('a', 5000)).toBe(0); // refilled, never above the burst
    expect(rate.take('a', 1)).toBe(1);
  });
});
