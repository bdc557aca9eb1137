import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetSnmpSessionFactory } from '@walt/sdk';
import { SimulatedSwitch, STANDARD_SWITCH_PROFILE, type SwitchProfile } from '@walt/sdk/testing';
import { ExtensionRegistry, emptyContributions } from '../../../packages/core/src/plugins/extension-registry.js';
import { openDatabase } from '../../../packages/core/src/store/database.js';
import { SwitchesRepository } from '../../../packages/core/src/store/switches-repository.js';
import { SwitchDrivers } from '../../../packages/core/src/switches/switch-drivers.js';
import type { Device } from '../../../packages/core/src/devices/device.js';
import { standardDriver } from '../../../packages/plugins/switch-standard/src/standard-driver.js';
import { netgearDriver } from '../../../packages/plugins/switch-netgear/src/netgear-driver.js';
import { tplinkDriver } from '../../../packages/plugins/switch-tplink/src/tplink-driver.js';
import { zyxelDriver } from '../../../examples/walt-plugin-switch-zyxel/src/zyxel-driver.js';
import { netgearSwitchProfile } from '../../../packages/plugins/switch-netgear/src/netgear-switch-profile.js';
import { tplinkSwitchProfile } from '../../../packages/plugins/switch-tplink/src/tplink-switch-profile.js';
import { zyxelSwitchProfile } from '../../../examples/walt-plugin-switch-zyxel/src/zyxel-switch-profile.js';

/** Driver selection in core, against one simulated switch of each vendor (the profiles their driver packages ship), over real SNMP. */
describe('probing picks the right driver for each vendor', () => {
  const expected: Record<string, string> = { standard: 'standard', netgear: 'netgear', tplink: 'tplink', zyxel: 'zyxel' };
  const profiles: Record<string, SwitchProfile> = { standard: STANDARD_SWITCH_PROFILE, netgear: netgearSwitchProfile, tplink: tplinkSwitchProfile, zyxel: zyxelSwitchProfile };
  const switches = new Map<string, SimulatedSwitch>();
  const registry = new ExtensionRegistry();
  // Registration order as in a server: built-ins (tplink, netgear, standard), then an installed plugin.
  for (const [plugin, d] of [
    ['@walt/plugin-switch-tplink', tplinkDriver],
    ['@walt/plugin-switch-netgear', netgearDriver],
    ['@walt/plugin-switch-standard', standardDriver],
    ['walt-plugin-switch-zyxel', zyxelDriver],
  ] as const) {
    registry.add(plugin, { ...emptyContributions(), switchDrivers: [d] });
  }
  const db = openDatabase(':memory:');
  const repo = new SwitchesRepository(db);
  const errors: string[] = [];
  const drivers = new SwitchDrivers(registry, repo, new NetSnmpSessionFactory(), (d, dev, e) => errors.push(`${d} ${dev} ${e}`));
  const device = (sw: SimulatedSwitch): Device => ({
    mac: sw.mac,
    ip: sw.host,
    name: sw.sysName,
    type: 'switch',
    virtual: false,
    model: null,
    image: null,
    conf: { 'snmp.version': 2, 'snmp.community': 'private', 'snmp.port': sw.port },
    createdAt: 0,
  });

  beforeAll(async () => {
    let i = 1;
    for (const v of Object.keys(expected)) {
      switches.set(v, await SimulatedSwitch.start({ profile: profiles[v], mac: `02:00:5e:00:60:0${i++}`, sysName: `probe-${v}`, ports: 8 }));
    }
  });
  afterAll(async () => {
    for (const sw of switches.values()) await sw.close();
    db.close();
  });

  for (const variant of Object.keys(expected)) {
    it(`a ${variant} switch gets the ${expected[variant]} driver, and the choice is cached (memory and store)`, async () => {
      const sw = switches.get(variant)!;
      const d = device(sw);
      const session = drivers.open({ host: sw.host, port: sw.port, version: 2, community: 'public', timeoutMs: 1000, retries: 1 });
      try {
        const choice = await drivers.choose(d, session);
        expect(choice.driver.id).toBe(expected[variant]);
        expect(repo.driverChoice(d.mac)?.driver).toBe(expected[variant]);
        // A new SwitchDrivers on the same store (a restart) reuses the stored choice without probing.
        const restarted = new SwitchDrivers(registry, repo, new NetSnmpSessionFactory(), () => undefined);
        expect(restarted.cached(d)?.driver.id).toBe(expected[variant]);
      } finally {
        session.close();
      }
    });
  }

  it('a driver whose probe throws is skipped and reported; the others still compete', async () => {
    const reg = new ExtensionRegistry();
    reg.add('walt-plugin-broken', {
      ...emptyContributions(),
      switchDrivers: [{ id: 'broken', description: 'throws', probe: async () => { throw new Error('boom'); } }],
    });
    reg.add('@walt/plugin-switch-standard', { ...emptyContributions(), switchDrivers: [standardDriver] });
    const seen: string[] = [];
    const d2 = new SwitchDrivers(reg, new SwitchesRepository(db), new NetSnmpSessionFactory(), (drv, dev, e) => seen.push(`${drv} on ${dev}: ${(e as Error).message}`));
    const sw = switches.get('standard')!;
    const session = d2.open({ host: sw.host, port: sw.port, version: 2, community: 'public', timeoutMs: 1000, retries: 1 });
    try {
      const choice = await d2.choose({ ...device(sw), mac: '02:00:5e:00:60:99' }, session, { refresh: true });
      expect(choice.driver.id).toBe('standard');
      expect(seen).toEqual([`broken on ${sw.sysName}: boom`]);
    } finally {
      session.close();
    }
  });
});
