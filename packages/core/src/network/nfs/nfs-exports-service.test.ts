import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Device } from '../../devices/device.js';
import { parseNfsConfig } from './nfs-config.js';
import { NfsExportsService } from './nfs-exports-service.js';

describe('NfsExportsService and an image saved again under the same name', () => {
  const dir = mkdtempSync(join(tmpdir(), 'walt-nfs-replaced-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exports the new version (a new view), keeps the old one for the export grace, then releases it', async () => {
    // The image store: `alice/exp:latest` is id1, then (image shell, build) id2 with another root.
    let id = 'id1';
    const released: string[] = [];
    const rootOf = (v: string) => {
      const r = join(dir, 'views', v);
      mkdirSync(r, { recursive: true });
      return r;
    };
    const images = {
      get: async () => ({ id }) as never,
      acquireView: async () => {
        const v = id;
        return { root: rootOf(v), release: () => void released.push(v) };
      },
    };
    const node: Device = { mac: 'b8:27:eb:00:00:01', ip: '192.168.152.14', name: 'node-1', type: 'node', virtual: false, model: 'rpi-3-b-plus', image: 'alice/exp:latest', conf: {}, createdAt: 0 };
    const config = parseNfsConfig({ nfs: { server: 'kernel', 'exports-dir': join(dir, 'exports.d') } }, join(dir, 'data'));
    const service = new NfsExportsService({ devices: { all: () => [node] }, images, logs: { platform: () => undefined }, run: async () => undefined }, config, join(dir, 'data'), '192.168.152.0/24', { exportGraceMs: 200 });
    const exported = () => readFileSync(join(config.exportsDir, 'walt.exports'), 'utf8');
    expect(await service.update()).toBe(true);
    expect(exported()).toContain(join(dir, 'views', 'id1'));
    expect(await service.update()).toBe(false);
    id = 'id2';
    expect(await service.update()).toBe(true);
    expect(exported()).toContain(join(dir, 'views', 'id2'));
    // The running node keeps the old version until it reboots: exported and held for the grace.
    expect(exported()).toContain(join(dir, 'views', 'id1'));
    expect(released).toEqual([]);
    await new Promise((r) => setTimeout(r, 250));
    expect(await service.update()).toBe(true);
    expect(exported()).not.toContain(join(dir, 'views', 'id1'));
    expect(released).toEqual(['id1']);
    service.stop();
  });
});
