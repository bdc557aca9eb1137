import { describe, expect, it } from 'vitest';
import { npmReason } from './npm-runner.js';

describe('npmReason', () => {
  it('picks the line that says why, not the boilerplate', () => {
    const stderr = [
      'npm warn Unknown user config "nodedir".',
      'npm error code E404',
      'npm error 404 Not Found - GET https://registry.npmjs.org/walt-plugin-nope - Not found',
      'npm error 404',
      'npm error A complete log of this run can be found in: /root/.npm/_logs/x.log',
    ].join('\n');
    expect(npmReason(stderr)).toBe('404 Not Found - GET https://registry.npmjs.org/walt-plugin-nope - Not found');
  });

  it('falls back to the last line that is not a warning', () => {
    expect(npmReason('npm warn x\nsomething broke\nnpm warn y\n')).toBe('something broke');
    expect(npmReason('')).toBeUndefined();
  });

  it('says which script failed and why, not "A complete log ..." (a prepack exiting 127)', () => {
    // npm 10's output for `npm pack` of a folder whose prepack runs a command that is not installed.
    const stderr = [
      '> x@1.0.0 prepack',
      '> tscx -b',
      '',
      'sh: 1: tscx: not found',
      'npm error code 127',
      'npm error path /tmp/x',
      'npm error command failed',
      'npm error command sh -c tscx -b',
      'npm error A complete log of this run can be found in: /root/.npm/_logs/x.log',
    ].join('\n');
    expect(npmReason(stderr)).toBe('script `tscx -b` exited with code 127: sh: 1: tscx: not found');
  });
});
