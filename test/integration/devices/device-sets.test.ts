import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevicesServer, type DevicesServer } from './devices-test-kit.js';

/**
 * A platform with alice's node, bob's node, a free node, an explorable switch, a plain switch and an
 * unknown device; sets are resolved through the API route every command uses, and through commands.
 */
describe('device sets', () => {
  let s: DevicesServer;
  const resolve = async (set: string, user = 'alice', extra = '') => {
    const r = await s.api('GET', `/api/v1/device-sets/resolve?set=${encodeURIComponent(set)}${extra}`, undefined, user);
    return r.status === 200 ? (r.body.devices as Array<{ name: string }>).map((d) => d.name) : `${r.status} ${r.body.error.message}`;
  };

  beforeAll(async () => {
    s = await startDevicesServer();
    for (const [mac, name] of [
      ['b8:27:eb:00:00:01', 'alice-node'],
      ['b8:27:eb:00:00:02', 'bob-node'],
      ['b8:27:eb:00:00:03', 'free-node'],
    ]) {
      // Loopback (127.77.4.x): the reboot after acquire fails at once instead of waiting for an absent node.
      const r = await s.register({ mac, ip: `127.77.4.${Number(mac.slice(-1)) + 10}`, vendorClass: 'walt.node.rpi-3-b-plus' });
      await s.ok(['device', 'rename', r.device.name, name]);
    }
    await s.okRebootFailing(['node', 'acquire', 'alice-node'], 'alice');
    await s.okRebootFailing(['node', 'acquire', 'bob-node'], 'bob');
    for (const [mac, name] of [
      ['02:00:00:00:00:21', 'sw-core'],
      ['02:00:00:00:00:22', 'sw-edge'],
      ['02:00:00:00:00:23', 'mystery'],
    ]) {
      const r = await s.register({ mac, ip: `192.168.152.${Number(mac.slice(-2))}` });
      await s.ok(['device', 'rename', r.device.name, name]);
    }
    await s.ok(['device', 'config', 'sw-core', 'type=switch', 'snmp.version=2', 'snmp.community=public', 'lldp.explore=true']);
    await s.ok(['device', 'config', 'sw-edge', 'type=switch']);
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('resolves each keyword', async () => {
    expect(await resolve('my-nodes', 'alice')).toEqual(['alice-node']);
    expect(await resolve('my-nodes', 'bob')).toEqual(['bob-node']);
    expect(await resolve('free-nodes')).toEqual(['free-node']);
    expect(await resolve('all-nodes')).toEqual(['alice-node', 'bob-node', 'free-node']);
    expect(await resolve('all-switches')).toEqual(['sw-core', 'sw-edge']);
    expect(await resolve('explorable-switches')).toEqual(['sw-core']);
    expect(await resolve('server')).toEqual(['walt-server']);
    expect(await resolve('all-devices')).toEqual(['alice-node', 'bob-node', 'free-node', 'mystery', 'sw-core', 'sw-edge', 'walt-server']);
  });

  it('unites names, comma lists and keywords, sorted by name, without duplicates', async () => {
    expect(await resolve('sw-edge,my-nodes')).toEqual(['alice-node', 'sw-edge']);
    expect(await resolve('free-nodes,server,alice-node,alice-node,my-nodes')).toEqual(['alice-node', 'free-node', 'walt-server']);
    expect(await resolve('mystery')).toEqual(['mystery']);
    expect(await resolve('explorable-switches,all-switches')).toEqual(['sw-core', 'sw-edge']);
  });

  it('names every unknown name in its error', async () => {
    expect(await resolve('alice-node,ghost')).toBe("404 No device with name 'ghost' found.");
    expect(await resolve('ghost,alice-node,phantom')).toBe("404 No devices with names 'ghost' and 'phantom' found.");
    expect(await s.fails(['device', 'config', 'ghost,free-node'])).toBe("Error: No device with name 'ghost' found.");
    expect(await s.fails(['node', 'acquire', 'nope'])).toBe("Error: No device with name 'nope' found.");
  });

  it('refuses malformed sets and empty results', async () => {
    expect(await resolve('alice-node,,bob-node')).toMatch(/^400 invalid device set 'alice-node,,bob-node'/);
    expect(await resolve('alice-node,')).toMatch(/^400 invalid device set/);
    expect(await resolve('my-nodes', 'carol')).toBe('404 No matching devices found! (tip: walt help show node-ownership)');
    expect(await resolve('my-nodes', 'carol', '&allowEmpty=1')).toEqual([]);
  });

  it('node-set commands require nodes and name the non-node', async () => {
    expect(await resolve('alice-node,sw-core', 'alice', '&nodes=1')).toBe('400 sw-core is not a node, it is a switch.');
    expect(await s.fails(['node', 'config', 'all-devices'])).toBe(
      'Error: mystery is not a node, it is an unknown device. sw-core is not a node, it is a switch. sw-edge is not a node, it is a switch. walt-server is not a node, it is the server.',
    );
    expect(await s.fails(['node', 'boot', 'free-node,mystery', 'default'])).toBe('Error: mystery is not a node, it is an unknown device.');
    expect(await s.fails(['node', 'release', 'server'])).toBe('Error: walt-server is not a node, it is the server.');
  });

  it('restricts a set to an allowed one (log issuers: server,all-nodes)', async () => {
    expect(await resolve('server,my-nodes', 'alice', '&allowed=server,all-nodes')).toEqual(['alice-node', 'walt-server']);
    expect(await resolve('sw-core', 'alice', '&allowed=server,all-nodes')).toBe("400 Invalid value 'sw-core'; allowed devices belong to 'server,all-nodes'");
  });

  it('commands taking sets act on the whole set', async () => {
    const out = await s.ok(['device', 'config', 'my-nodes,all-switches']);
    expect(out).toContain('Node alice-node has the following config applied:');
    expect(out).toContain('Switch sw-core has the following config applied:');
    expect(out).toContain('Switch sw-edge has the following config applied:');
    expect(await s.ok(['node', 'config', 'all-nodes'])).toContain('Nodes alice-node, bob-node and free-node have the following config applied:');
  });
});
