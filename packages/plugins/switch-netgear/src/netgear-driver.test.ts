import { describe, it } from 'vitest';
import { STANDARD_SWITCH_PROFILE, switchDriverConformance } from '@walt/sdk/testing';
// Other vendors' switches, from their own packages (this monorepo's tests may reach them; the SDK does not).
import { tplinkSwitchProfile } from '../../switch-tplink/src/tplink-switch-profile.js';
import { zyxelSwitchProfile } from '../../../../examples/walt-plugin-switch-zyxel/src/zyxel-switch-profile.js';
import { netgearSwitchProfile } from './netgear-switch-profile.js';
import { netgearDriver } from './netgear-driver.js';

describe('netgear driver conformance (simulated Netgear switch)', () => {
  for (const check of switchDriverConformance(netgearDriver, { profile: netgearSwitchProfile, foreignProfiles: [STANDARD_SWITCH_PROFILE, tplinkSwitchProfile, zyxelSwitchProfile] })) it(check.name, check.run);
});
