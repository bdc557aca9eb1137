import { describe, expect, it } from 'vitest';
import { parseDisks, parseNetworks, vmSettings, VM_SETTINGS } from './vm-settings.js';

const parse = (name: string, raw: string) => VM_SETTINGS[name].parse(raw);

describe('virtual node settings grammar (what `walt node config` accepts)', () => {
  it('ram', () => {
    expect(parse('ram', '1G')).toBe('1G');
    expect(() => parse('ram', '1K')).toThrow("'1K' is not a valid value for ram (expecting for instance 512M or 1G).");
  });
  it('cpu.cores and boot.delay', () => {
    expect(parse('cpu.cores', '2')).toBe(2);
    expect(() => parse('cpu.cores', 'two')).toThrow('cpu.cores');
    expect(() => parse('cpu.cores', '0')).toThrow('cpu.cores');
    expect(parse('boot.delay', 'RANDOM')).toBe('random');
    expect(parse('boot.delay', '07')).toBe('7');
    expect(() => parse('boot.delay', '-1')).toThrow('boot.delay');
  });
  it('disks', () => {
    expect(parse('disks', 'none')).toBe('none');
    expect(parse('disks', 'NONE')).toBe('none');
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
  it('every default parses to itself', () => {
    for (const [name, setting] of Object.entries(VM_SETTINGS)) expect(setting.parse(String(setting.default)), name).toEqual(setting.default);
  });
});

describe('vm settings', () => {
  it('uses the defaults of the original (512M, 4 cores, no disk, walt-net, random 1-10 s delay)', () => {
    const s = vmSettings({}, () => 0.99);
    expect(s).toEqual({ ram: '512M', cores: 4, disks: [], extraNetworks: [], bootDelaySeconds: 10 });
    expect(vmSettings({}, () => 0).bootDelaySeconds).toBe(1);
  });

  it('reads stored settings, falling back to defaults on bad values', () => {
    const s = vmSettings({ ram: '1G', 'cpu.cores': 2, 'boot.delay': '0', disks: '8G,1T[template=ext4]', networks: 'walt-net,ext[lat=8ms,bw=100Mbps]' });
    expect(s.ram).toBe('1G');
    expect(s.cores).toBe(2);
    expect(s.bootDelaySeconds).toBe(0);
    expect(s.disks).toEqual([{ bytes: 8e9, template: 'none' }, { bytes: 1e12, template: 'ext4' }]);
    expect(s.extraNetworks).toEqual([{ name: 'ext', latencyUs: 8000, bandwidthMbps: 100 }]);
    expect(vmSettings({ ram: 'lots', 'cpu.cores': -1, disks: '8X' }).ram).toBe('512M');
    expect(vmSettings({ 'cpu.cores': -1 }).cores).toBe(4);
  });

  it('refuses malformed disks and networks (the messages `walt node config` prints)', () => {
    expect(() => parseDisks('8X')).toThrow('not a valid value for disks');
    expect(() => parseDisks('0G')).toThrow('not a valid value for disks');
    expect(() => parseDisks('8G[template=ntfs]')).toThrow("invalid disk option 'template=ntfs'");
    expect(() => parseNetworks('ext')).toThrow('networks must include walt-net');
    expect(() => parseNetworks('walt-net,walt-net')).toThrow('listed twice');
    expect(() => parseNetworks('walt-net,ext[lat=fast]')).toThrow("invalid network restriction 'lat=fast'");
  });

  it('reads what the grammar stores back into the same values (one grammar for both)', () => {
    const conf = Object.fromEntries(
      Object.entries({ ram: '2G', 'cpu.cores': '3', disks: '8G[template=fat32]', networks: 'walt-net,lab[bw=1Gbps]', 'boot.delay': '05' }).map(([k, v]) => [k, VM_SETTINGS[k].parse(v)]),
    );
    expect(vmSettings(conf)).toEqual({ ram: '2G', cores: 3, disks: [{ bytes: 8e9, template: 'fat32' }], extraNetworks: [{ name: 'lab', bandwidthMbps: 1000 }], bootDelaySeconds: 5 });
  });
});

