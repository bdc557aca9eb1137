import { describe, it } from 'vitest';
import { NO_STANDARD_MIBS_PROFILE, STANDARD_SWITCH_PROFILE, switchDriverConformance } from '@walt/sdk/testing';
import { zyxelSwitchProfile } from './zyxel-switch-profile.js';
import { zyxelDriver } from './zyxel-driver.js';

describe('zyxel driver conformance (simulated Zyxel switch)', () => {
  for (const check of switchDriverConformance(zyxelDriver, { profile: zyxelSwitchProfile, foreignProfiles: [STANDARD_SWITCH_PROFILE, NO_STANDARD_MIBS_PROFILE] })) it(check.name, check.run);
});
