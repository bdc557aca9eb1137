import { describe, it } from 'vitest';
import { switchDriverConformance } from '@walt/sdk/testing';
import { standardDriver } from './standard-driver.js';

describe('standard driver conformance (simulated standard switch)', () => {
  for (const check of switchDriverConformance(standardDriver, { variant: 'standard', foreignVariants: ['tplink'] })) it(check.name, check.run);
});
