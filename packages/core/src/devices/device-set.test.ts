import { describe, expect, it } from 'vitest';
import type { Device } from './device.js';
import { resolveDeviceSet, type DeviceSetContext } from './device-set.js';

const dev = (name: string, type: Device['type'], extra: Partial<Device> = {}): Device => ({
  mac: `02:00:00:00:00:${name.length.toString(16).padStart(2, '0')}${name}`,
  ip: null,
  name,
  type,
  virtual: false,
  model: type === 'node' ? 'rpi-3-b-plus' : null,
  image: null,
  conf: {},
  createdAt: 0,
  ...extra,
});

const ctx: DeviceSetContext = {
  user: 'alice',
  defaultImageOf: (m) => `waltplatform/${m}-default:latest`,
  devices: [
    dev('walt-server', 'server'),
    dev('a1', 'node', { image: 'alice/x:latest' }),
    dev('b1', 'node', { image: 'bob/x:latest' }),
    dev('f1', 'node', { image: 'waltplatform/rpi-3-b-plus-default:latest' }),
    // free (a waltplatform image) but not in free-nodes (not the exact default image)
    dev('f2', 'node', { image: 'waltplatform/rpi-debian:latest' }),
    dev('s1', 'switch', { conf: { 'lldp.explore': true } }),
    dev('s2', 'switch'),
    dev('u1', 'unknown'),
  ],
};
const names = (spec: string, o = {}) => resolveDeviceSet(spec, ctx, o).map((d) => d.name);

describe('resolveDeviceSet', () => {
  it('free-nodes means the exact default image', () => {
    expect(names('free-nodes')).toEqual(['f1']);
    expect(names('all-nodes')).toEqual(['a1', 'b1', 'f1', 'f2']);
  });
  it('keywords, names and combinations', () => {
    expect(names('my-nodes,s2')).toEqual(['a1', 's2']);
    expect(names('explorable-switches')).toEqual(['s1']);
    expect(names('server,u1,u1')).toEqual(['u1', 'walt-server']);
    expect(names(' a1 , b1 ')).toEqual(['a1', 'b1']);
  });
  it('errors', () => {
    expect(() => names('x,y,z')).toThrow("No devices with names 'x', 'y' and 'z' found.");
    expect(() => names('')).toThrow('invalid device set');
    expect(() => names('a1,s1', { nodesOnly: true })).toThrow('s1 is not a node, it is a switch.');
    expect(() => resolveDeviceSet('my-nodes', { ...ctx, user: null })).toThrow("'my-nodes' needs to know who you are");
    expect(() => resolveDeviceSet('my-nodes', { ...ctx, user: 'carol' })).toThrow('No matching devices found!');
  });
});
