import { describe, expect, it } from 'vitest';
import { ViewCache, type MountedView } from './view-cache.js';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

function counter() {
  const c = { mounts: 0, disposes: 0 };
  const mount = async (): Promise<MountedView> => {
    c.mounts++;
    await wait(10);
    return { root: `/views/${c.mounts}`, dispose: async () => void c.disposes++ };
  };
  return { c, mount };
}

describe('ViewCache', () => {
  it('shares one mount between acquires at the same moment, and disposes it after the grace period', async () => {
    const cache = new ViewCache(50);
    const { c, mount } = counter();
    const [a, b] = await Promise.all([cache.acquire('img', mount), cache.acquire('img', mount)]);
    expect(a.root).toBe(b.root);
    expect(c.mounts).toBe(1);
    expect(cache.holders('img')).toBe(2);
    a.release();
    a.release();
    expect(cache.holders('img')).toBe(1);
    b.release();
    await wait(20);
    expect(c.disposes).toBe(0); // grace period
    const again = await cache.acquire('img', mount);
    expect(again.root).toBe(a.root);
    expect(c.mounts).toBe(1);
    again.release();
    await wait(100);
    expect(c.disposes).toBe(1);
    expect(cache.keys()).toEqual([]);
  });

  it('forgets a failed mount so the next acquire retries', async () => {
    const cache = new ViewCache(10);
    let fail = true;
    const mount = async (): Promise<MountedView> => {
      if (fail) throw new Error('no layers');
      return { root: '/ok', dispose: async () => undefined };
    };
    await expect(cache.acquire('img', mount)).rejects.toThrow('no layers');
    expect(cache.keys()).toEqual([]);
    fail = false;
    expect((await cache.acquire('img', mount)).root).toBe('/ok');
  });

  it('drop() refuses a held view and disposes an idle one at once; closeAll() disposes everything', async () => {
    const cache = new ViewCache(60_000);
    const { c, mount } = counter();
    const v = await cache.acquire('a', mount);
    expect(await cache.drop('a')).toBe(false);
    v.release();
    expect(await cache.drop('a')).toBe(true);
    expect(c.disposes).toBe(1);
    await cache.acquire('b', mount);
    await cache.closeAll();
    expect(c.disposes).toBe(2);
  });
});
