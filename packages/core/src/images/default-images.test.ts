import { describe, expect, it } from 'vitest';
import { DefaultImages } from './default-images.js';
import type { ImageStore, WaltImage } from './image-store.js';

describe('DefaultImages.known: what check() would answer without asking the store', () => {
  it('is undefined until the store was asked, then the answer for 5 s, then undefined again', async () => {
    let now = 1_000_000;
    const local = new Set(['waltplatform/rpi-3-b-plus-default:latest']);
    let asked = 0;
    const store = {
      get: async (name: string) => {
        asked++;
        return local.has(name) ? ({ fullname: name } as WaltImage) : undefined;
      },
    } as unknown as ImageStore;
    const images = new DefaultImages(store, () => now);
    const rpi = 'waltplatform/rpi-3-b-plus-default:latest';
    const pc = 'waltplatform/pc-x86-64-default:latest';
    expect(images.known(rpi)).toBeUndefined();
    expect(await images.check(rpi)).toBe(true);
    expect(await images.check(pc)).toBe(false);
    expect(asked).toBe(2);
    expect(images.known(rpi)).toBe(true);
    expect(images.known(pc)).toBe(false);
    now += 4_999;
    expect(images.known(rpi)).toBe(true);
    expect(await images.check(rpi)).toBe(true);
    expect(asked).toBe(2); // answered from what is known
    now += 2;
    expect(images.known(rpi)).toBeUndefined();
    expect(images.known(pc)).toBeUndefined();
    images.markLocal(pc);
    expect(images.known(pc)).toBe(true);
  });
});
