import { describe, it } from 'vitest';
import { NO_STANDARD_MIBS_PROFILE, STANDARD_SWITCH_PROFILE, switchDriverConformance } from '@walt/sdk/testing';
import { standardDriver } from './standard-driver.js';

describe('standard driver conformance (simulated standard switch)', () => {
  for (const check of switchDriverConformance(standardDriver, { profile: STANDARD_SWITCH_PROFILE, foreignProfiles: [NO_STANDARD_MIBS_PROFILE] })) it(check.name, check.run);
});
