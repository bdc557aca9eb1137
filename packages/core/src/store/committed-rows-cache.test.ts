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
});
