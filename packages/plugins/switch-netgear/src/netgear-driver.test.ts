import { describe, it } from 'vitest';
import { switchDriverConformance } from '@walt/sdk/testing';
import { netgearDriver } from './netgear-driver.js';

describe('netgear driver conformance (simulated Netgear switch)', () => {
  for (const check of switchDriverConformance(netgearDriver, { variant: 'netgear' })) it(check.name, check.run);
});
