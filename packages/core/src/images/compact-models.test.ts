import { describe, expect, it } from 'vitest';
import { compactModels } from './compact-models.js';

describe('compactModels', () => {
  it('groups models on their dash-ended common prefix, like the original autoglob', () => {
    expect(compactModels(['rpi-b', 'rpi-b-plus', 'rpi-2-b', 'rpi-3-b', 'rpi-3-b-plus', 'rpi-4-b', 'rpi-400', 'qemu-arm-32', 'qemu-arm-64'])).toBe(
      'rpi-[b,b-plus,2-b,3-b,3-b-plus,4-b,400],qemu-arm-[32,64]',
    );
  });
  it('keeps single models and says N/A for none', () => {
    expect(compactModels(['pc-x86-64'])).toBe('pc-x86-64');
    expect(compactModels(['pc-x86-64', 'pc-x86-32'])).toBe('pc-x86-[64,32]');
    expect(compactModels([])).toBe('N/A');
    expect(compactModels(['coral-dev-board', 'pc-x86-64'])).toBe('coral-dev-board,pc-x86-64');
  });
});
