import { LRUCache } from 'lru-cache';
import type { PluginCache } from '@walt/sdk';

/** A bounded cache per plugin (lru-cache), with optional time to live per entry. */
export function createPluginCache(max = 1000): PluginCache {
  const lru = new LRUCache<string, { v: unknown }>({ max, ttlAutopurge: false, allowStale: false });
  return {
    get: <V>(key: string) => lru.get(key)?.v as V | undefined,
    set: (key, value, ttlMs) => void lru.set(key, { v: value }, ttlMs ? { ttl: ttlMs } : undefined),
    delete: (key) => void lru.delete(key),
    clear: () => lru.clear(),
  };
}
