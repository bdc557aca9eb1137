import { describe, expect, it } from 'vitest';
import { BUILTIN_BY_NAME, parseExpose } from './device-settings.js';
import { formatSentence } from './format-sentence.js';
import { nameFromHostName } from './device-naming.js';

const parse = (name: string, raw: string) => BUILTIN_BY_NAME.get(name)!.parse(raw);

describe('virtual node settings values', () => {
  it('ram', () => {
    expect(parse('ram', '1G')).toBe('1G');
    expect(() => parse('ram', '1K')).toThrow("'1K' is not a valid value for ram (expecting for instance 512M or 1G).");
  });
  it('cpu.cores and boot.delay', () => {
    expect(parse('cpu.cores', '2')).toBe(2);
    expect(() => parse('cpu.cores', 'two')).toThrow('cpu.cores');
    expect(parse('boot.delay', 'RANDOM')).toBe('random');
    expect(parse('boot.delay', '07')).toBe('7');
    expect(() => parse('boot.delay', '-1')).toThrow('boot.delay');
  });
  it('disks', () => {
    expect(parse('disks', 'none')).toBe('none');
    expect(parse('disks', '8G,1T[template=ext4]')).toBe('8G,1T[template=ext4]');
    expect(() => parse('disks', '8M')).toThrow('not a valid value for disks');
    expect(() => parse('disks', '8G[template=ntfs]')).toThrow("invalid disk option 'template=ntfs'");
  });
  it('networks', () => {
    expect(parse('networks', 'walt-net,lab[lat=5ms,bw=100Mbps]')).toBe('walt-net,lab[lat=5ms,bw=100Mbps]');
    expect(() => parse('networks', 'lab')).toThrow('networks must include walt-net');
    expect(() => parse('networks', 'walt-net,walt-net')).toThrow('listed twice');
    expect(() => parse('networks', 'walt-net[jitter=1ms]')).toThrow("invalid network restriction 'jitter=1ms'");
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
