import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevicesServer, type DevicesServer } from '../devices/devices-test-kit.js';
import { authHeaders } from '../../helpers/api-token.js';

/**
 * Issue 14 item 5: a new user's default images are copied when the user first needs them, not on
 * a `GET /images` by any new user name (50 names made 50 copies).
 */
describe("a new user's default images (folder image store)", () => {
  let s: DevicesServer;
  const users = () => readdirSync(s.imagesDir).sort();

  beforeAll(async () => {
    s = await startDevicesServer();
    const r = await s.register({ mac: 'b8:27:eb:14:05:01', ip: '192.168.152.50', vendorClass: 'walt.node.rpi-3-b-plus' });
    await s.ok(['device', 'rename', r.device.name, 'rpi-lazy']);
  });
  afterAll(async () => {
    await s?.server.stop({ cleanup: true });
  });

  it('50 new user names listing images make no copy', async () => {
    const before = users();
    for (let i = 0; i < 50; i++) {
      const r = await s.api('GET', '/api/v1/images', undefined, `visitor${i}`);
      expect(r.status).toBe(200);
      // Each still sees the default image it would get, as its working set.
      expect(r.body.images.map((row: { name: string }) => row.name)).toEqual(['rpi-3-b-plus-default']);
    }
    expect(users()).toEqual(before);
  });

  it('walt image show lists the default image and says when it is copied', async () => {
    const out = await s.ok(['image', 'show'], 'carol');
    expect(out).toContain('rpi-3-b-plus-default is a default image for rpi-3-b-plus: it is copied into your working set when you first use it.');
    expect(out).toMatch(/rpi-3-b-plus-default\s+False/);
    expect(s.hasImage('carol/rpi-3-b-plus-default:latest')).toBe(false);
  });

  it('the first use copies it: booting a node on it', async () => {
    const out = await s.okRebootFailing(['node', 'boot', 'rpi-lazy', 'rpi-3-b-plus-default'], 'carol');
    expect(out).toBe('Cloned rpi-3-b-plus-default, a default image for rpi-3-b-plus.\nNode rpi-lazy will now boot rpi-3-b-plus-default.\n');
    expect(s.hasImage('carol/rpi-3-b-plus-default:latest')).toBe(true);
    expect((await s.device('rpi-lazy'))?.image).toBe('carol/rpi-3-b-plus-default:latest');
    expect(await s.ok(['image', 'show'], 'carol')).not.toContain('when you first use it');
  });

  it('the first use copies it: renaming or copying from it', async () => {
    expect(await s.ok(['image', 'rename', 'rpi-3-b-plus-default', 'mine'], 'dave')).toContain('renamed to mine');
    expect(s.hasImage('dave/mine:latest')).toBe(true);
    const res = await fetch(`http://${s.server.address}/api/v1/images/rpi-3-b-plus-default/archive?path=/etc`, { headers: await authHeaders(s.server.address, 'erin') });
    await res.arrayBuffer();
    expect(s.hasImage('erin/rpi-3-b-plus-default:latest')).toBe(true);
  });
});
