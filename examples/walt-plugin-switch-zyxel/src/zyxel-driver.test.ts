import { describe, it } from 'vitest';
import { switchDriverConformance } from '@walt/sdk/testing';
import { zyxelDriver } from './zyxel-driver.js';

describe('zyxel driver conformance (simulated Zyxel switch)', () => {
  for (const check of switchDriverConformance(zyxelDriver, { variant: 'zyxel' })) it(check.name, check.run);
});
