import { describe, expect, it } from 'vitest';
import { STANDARD_SWITCH_PROFILE, switchDriverConformance } from '@walt/sdk/testing';
// Other vendors' switches, from their own packages (this monorepo's tests may reach them; the SDK does not).
import { netgearSwitchProfile } from '../../switch-netgear/src/netgear-switch-profile.js';
import { zyxelSwitchProfile } from '../../../../examples/walt-plugin-switch-zyxel/src/zyxel-switch-profile.js';
import { tplinkSwitchProfile } from './tplink-switch-profile.js';
import { portOfLabel, tplinkDriver } from './tplink-driver.js';

describe('tplink driver conformance (simulated TP-Link switch)', () => {
  for (const check of switchDriverConformance(tplinkDriver, { profile: tplinkSwitchProfile, foreignProfiles: [STANDARD_SWITCH_PROFILE, netgearSwitchProfile, zyxelSwitchProfile] })) it(check.name, check.run);
});

describe('portOfLabel', () => {
  it('takes the last run of digits', () => {
    expect(portOfLabel('1/0/5')).toBe(5);
    expect(portOfLabel('gi12')).toBe(12);
    expect(portOfLabel('uplink')).toBeNull();
  });
});
