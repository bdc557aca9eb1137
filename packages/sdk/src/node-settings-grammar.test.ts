import { describe, expect, it } from 'vitest';
import { defineVirtualNodeProvider, type VirtualNodeProvider } from './virtual-node-provider.js';

const base: VirtualNodeProvider = { id: 'toy', description: 'toy', model: 'toy-vm', start: async () => {}, kill: async () => {}, stop: async () => {}, input: () => {} };
const withSettings = (settings: unknown) => () => defineVirtualNodeProvider({ ...base, settings } as VirtualNodeProvider);

describe('a virtual-node provider contributes its settings grammar (checked when contributed)', () => {
  it('accepts a well-formed grammar', () => {
    const ram = { description: 'memory', default: '512M', parse: (raw: string) => raw };
    expect(defineVirtualNodeProvider({ ...base, settings: { ram } }).settings).toEqual({ ram });
  });

  it.each([
    [[], /expected a mapping/],
    [{ RAM: { description: 'x', default: 'a', parse: String } }, /settings\.RAM: invalid setting name/],
    [{ ram: { description: ' ', default: 'a', parse: String } }, /settings\.ram: a description is required/],
    [{ ram: { description: 'x', default: 'a' } }, /settings\.ram: parse must be a function/],
    [{ ram: { description: 'x', default: null, parse: String } }, /settings\.ram: default must be a boolean, a number or a string/],
    [
      {
        ram: {
          description: 'x',
          default: 'lots',
          parse: () => {
            throw new Error('no');
          },
        },
      },
      /defineVirtualNodeProvider\(toy\): settings\.ram: its default does not parse \(no\)/,
    ],
  ])('refuses %j', (settings, message) => {
    expect(withSettings(settings)).toThrow(message);
  });
});
