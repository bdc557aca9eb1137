import { describe, expect, it } from 'vitest';
import { apiListenHosts, localIpv4Addresses } from './api-listen-hosts.js';

const config = (host: string, rawDevice: string | null, ip = '192.168.152.1/24') => ({
  api: { host, port: 12345 },
  network: { waltNet: { rawDevice, ip }, unmanaged: {} },
});
const none = () => [] as string[];

describe('apiListenHosts', () => {
  it('listens on api.host only for a virtual-only walt-net whose address does not exist here', () => {
    expect(apiListenHosts(config('127.0.0.1', null), none)).toEqual(['127.0.0.1']);
  });
  it('adds the walt-net address when walt-net has a raw device', () => {
    expect(apiListenHosts(config('127.0.0.1', 'eth1'), none)).toEqual(['127.0.0.1', '192.168.152.1']);
  });
  it('adds the walt-net address of a virtual-only walt-net when it exists on an interface', () => {
    expect(apiListenHosts(config('127.0.0.1', null), () => ['127.0.0.1', '192.168.152.1'])).toEqual(['127.0.0.1', '192.168.152.1']);
  });
  it('listens once when api.host is the walt-net address or a wildcard', () => {
    expect(apiListenHosts(config('192.168.152.1', 'eth1'), none)).toEqual(['192.168.152.1']);
    expect(apiListenHosts(config('0.0.0.0', 'eth1'), none)).toEqual(['0.0.0.0']);
  });
  it('reads the local addresses (loopback is always there)', () => {
    expect(localIpv4Addresses()).toContain('127.0.0.1');
  });
});
