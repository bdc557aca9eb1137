import { describe, expect, it } from 'vitest';
import { BUILTIN_BY_NAME, parseExpose } from './device-settings.js';
import { formatSentence } from './format-sentence.js';
import { nameFromHostName } from './device-naming.js';


describe('device settings values', () => {
  it('core knows no virtual-node setting by name (the virtual-node provider contributes them)', () => {
    for (const name of ['ram', 'cpu.cores', 'disks', 'networks', 'boot.delay']) expect(BUILTIN_BY_NAME.has(name)).toBe(false);
    expect([...BUILTIN_BY_NAME.values()].map((s) => s.category)).not.toContain('virtual-nodes');
  });
  it('expose', () => {
    expect(parseExpose('80:8080,443:8443')).toEqual([
      [80, 8080],
      [443, 8443],
    ]);
    expect(() => parseExpose('80:8080,80:8081')).toThrow('device port 80 is exposed twice');
    expect(() => parseExpose('80:70000')).toThrow('not a valid value for expose');
  });
});

describe('formatSentence and host names', () => {
  it('conjugates and counts', () => {
    expect(formatSentence('%s {is|are} yours.', ['b', 'a'], { singular: 'node', plural: 'nodes' })).toBe('Nodes a and b are yours.');
    expect(formatSentence('%s {is|are} yours.', ['a', 'b', 'c', 'd', 'e', 'f'], { singular: 'node', plural: 'nodes' })).toBe('6 nodes are yours.');
  });
  it('derives names from DHCP host names', () => {
    expect(nameFromHostName('pi.lab', 'b8:27:eb:f2:67:82')).toBe('pi-f26782');
    expect(nameFromHostName('PI-F26782', 'b8:27:eb:f2:67:82')).toBe('pi-f26782');
    expect(nameFromHostName('9pi', 'b8:27:eb:f2:67:82')).toBeUndefined();
  });
});
