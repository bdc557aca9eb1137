import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedSwitch } from '@walt/sdk/testing';
import { skipUnless } from '../../helpers/prerequisites.js';
import { startServer, type ServerHandle } from '../../helpers/walt-processes.js';
import { dataDirWithNodes, deviceNamed } from './switch-helpers.js';

const NET = '127.0.82';
const SW = '02:82:00:00:00:02';
const NODE = 'b8:27:eb:82:00:15';

async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return check();
}

/**
 * Power saving with the 2-hour timeout shortened to 2 s (WALT_POWERSAVE_TIMEOUT): a free rpi-3-b-plus
 * node (a PoE-powered model) on a switch with poe.reboots=true is powered off with a logged reason,
 * and powered on again when someone needs it (here: walt node reboot).
 */
describe.skipIf(skipUnless({ root: true }))('power saving of free PoE-powered nodes', () => {
  let server: ServerHandle;
  const sims: SimulatedSwitch[] = [];
  let sw: SimulatedSwitch;

  beforeAll(async () => {
    sims.push(await SimulatedSwitch.start({ host: `${NET}.1`, port: 161, mac: 'aa:bb:cc:82:00:01', sysName: 'walt-server', neighbors: [{ port: 1, mac: SW, ip: `${NET}.2`, sysName: 'ps', bridge: true }] }));
    sw = await SimulatedSwitch.start({ host: `${NET}.2`, port: 161, mac: SW, sysName: 'ps', neighbors: [{ port: 6, mac: NODE, ip: `${NET}.15`, sysName: 'rpi' }] });
    sims.push(sw);
    server = await startServer({
      dataDir: dataDirWithNodes([{ mac: NODE, ip: `${NET}.15`, model: 'rpi-3-b-plus' }]),
      config: `network:\n  walt-net:\n    raw-device: null\n    ip: ${NET}.1/24\napi:\n  port: 0\n`,
      env: { WALT_POWERSAVE_TIMEOUT: '2' },
    });
  }, 60_000);

  afterAll(async () => {
    await server?.stop({ cleanup: true });
    for (const s of sims) await s.close();
  });

  it('stays off until the switch allows PoE reboots, then powers the idle node off, and on when needed', async () => {
    await server.walt(['device', 'rescan']);
    const name = (await deviceNamed(server, SW))!.name;
    let r = await server.walt(['device', 'config', name, 'snmp.version=2', 'snmp.community=private', 'lldp.explore=true']);
    expect(r.code, r.stderr).toBe(0);
    await server.walt(['device', 'rescan']);
    // Placed, idle for more than the timeout, but poe.reboots is false: nothing happens.
    await new Promise((res) => setTimeout(res, 3000));
    expect(sw.timeline).toEqual([]);
    r = await server.walt(['device', 'config', name, 'poe.reboots=true']);
    expect(r.code, r.stderr).toBe(0);
    expect(await until(() => sw.timeline.length > 0, 10_000)).toBe(true);
    expect(sw.timeline[0]).toMatchObject({ port: 6, on: false, source: 'snmp' });
    expect(server.output()).toMatch(/platform\.powersave -> node node-820015 powered off \(free node unused for \d+ s; PoE off on ps-000002 port 6\)/);
    r = await server.walt(['device', 'port-config', name, '6']);
    expect(r.stdout).toContain('6: name="6" poe=off peer=node-820015  # powersave');
    r = await server.walt(['node', 'reboot', 'node-820015']);
    expect(r.stdout).toContain('Reactivating related switch port(s) in powersave mode.');
    expect(sw.timeline.slice(0, 2).map((e) => e.on)).toEqual([false, true]);
  }, 40_000);

  it('turns recorded ports back on at startup (poeoff table)', async () => {
    // The reboot restarted the node's timer: it goes back to powersave after 2 s.
    expect(await until(() => sw.timeline.length >= 5 && !sw.timeline[sw.timeline.length - 1].on, 15_000)).toBe(true);
    const dataDir = server.dataDir;
    const config = `network:\n  walt-net:\n    raw-device: null\n    ip: ${NET}.1/24\napi:\n  port: 0\n`;
    await server.stop();
    const before = sw.timeline.length;
    server = await startServer({ dataDir, config, env: { WALT_POWERSAVE_TIMEOUT: '3600' } });
    expect(await until(() => sw.timeline.length > before, 10_000)).toBe(true);
    expect(sw.timeline[before]).toMatchObject({ port: 6, on: true, source: 'snmp' });
    expect(sw.isPoeOn(6)).toBe(true);
  }, 40_000);
});
