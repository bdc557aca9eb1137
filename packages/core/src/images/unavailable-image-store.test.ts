import { describe, expect, it } from 'vitest';
import { UnavailableImageStore } from './unavailable-image-store.js';

describe('UnavailableImageStore', () => {
  it('rejects every image operation with the what-to-install error, and never throws synchronously', async () => {
    const store = new UnavailableImageStore('no Podman socket at /run/podman/podman.sock');
    const calls: Array<() => Promise<unknown>> = [
      () => store.pull('waltplatform/rpi-3-b-plus-default:latest'),
      () => store.tag('a/b:latest', 'c/d:latest'),
      () => store.remove('a/b:latest'),
      () => store.acquireView('a/b:latest'),
      () => store.fetch('127.0.0.1:5000/a/b:v1', 'a/b:latest', 'lab'),
      () => store.push('a/b:latest', '127.0.0.1:5000/a/b:v1', 'lab'),
      () => store.engineImages(),
      () => store.exportArchive('a/b:latest', '/etc'),
      () => store.importArchive('a/b:latest', '/etc', process.stdin),
    ];
    for (const call of calls) {
      let pending: Promise<unknown> | undefined;
      expect(() => (pending = call())).not.toThrow();
      await expect(pending).rejects.toMatchObject({ code: 'no-image-engine', message: expect.stringContaining('install podman') });
    }
  });
});
