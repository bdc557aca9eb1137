import { describe, expect, it } from 'vitest';
import { CommittedRowsCache } from './committed-rows-cache.js';

describe('CommittedRowsCache', () => {
  it('remembers rows and absences, forgets on request, and keeps at most its capacity (the oldest go first)', () => {
    const cache = new CommittedRowsCache<string, number>(3);
    cache.remember('a', 1);
    cache.remember('b', null);
    expect(cache.get('a')).toBe(1);
    expect(cache.get('b')).toBeNull();
    expect(cache.get('c')).toBeUndefined();
    cache.forget('a');
    cache.forget(null);
    expect(cache.get('a')).toBeUndefined();
    for (const k of ['c', 'd', 'e', 'f']) cache.remember(k, 0);
    expect(cache.size).toBe(3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('c')).toBeUndefined();
    expect(cache.get('f')).toBe(0);
  });

  it('complete: a key it does not hold is absent, until written (stale); eviction or too many stale keys end that', () => {
    const cache = new CommittedRowsCache<string, number>(3);
    expect(cache.get('x')).toBeUndefined();
    expect(cache.fill(new Map([['a', 1]]), ['shared'])).toBe(true);
    expect(cache.get('a')).toBe(1);
    expect(cache.get('x')).toBeNull();
    expect(cache.get('shared')).toBeUndefined();
    cache.forget('x'); // a write of x: read it from the database until remembered again
    expect(cache.get('x')).toBeUndefined();
    cache.remember('x', 5);
    expect(cache.get('x')).toBe(5);
    cache.forget('x');
    cache.remember('x', null);
    expect(cache.get('x')).toBeNull();
    expect(cache.size).toBe(1); // absent keys take no room when complete
    for (const k of ['b', 'c']) cache.remember(k, 0);
    cache.remember('d', 0); // evicts the oldest: absence is no longer known
    expect(cache.isComplete).toBe(false);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('y')).toBeUndefined();

    const other = new CommittedRowsCache<string, number>(2);
    expect(other.fill(new Map([['a', 1], ['b', 2], ['c', 3]]))).toBe(false); // more rows than its capacity
    expect(other.get('z')).toBeUndefined();
    other.fill(new Map());
    for (const k of ['p', 'q', 'r']) other.forget(k);
    expect(other.isComplete).toBe(false);
    expect(other.get('s')).toBeUndefined();
  });
});
