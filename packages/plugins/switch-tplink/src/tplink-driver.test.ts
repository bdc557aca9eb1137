import { describe, expect, it } from 'vitest';
import { switchDriverConformance } from '@walt/sdk/testing';
import { portOfLabel, tplinkDriver } from './tplink-driver.js';

describe('tplink driver conformance (simulated TP-Link switch)', () => {
  for (const check of switchDriverConformance(tplinkDriver, { variant: 'tplink' })) it(check.name, check.run);
});

describe('portOfLabel', () => {
  it('takes the last run of digits', () => {
    expect(portOfLabel('1/0/5')).toBe(5);
    expect(portOfLabel('gi12')).toBe(12);
    expect(portOfLabel('uplink')).toBeNull();
  });
});
