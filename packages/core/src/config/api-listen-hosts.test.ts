import { describe, expect, it } from 'vitest';
import { apiListenHosts, localIpv4Addresses, userApiHosts } from './api-listen-hosts.js';

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

describe('userApiHosts', () => {
  const withListen = (listen: string[] | undefined, host = '127.0.0.1') => ({
    api: { host, port: 12345, listen },
    network: {
      waltNet: { rawDevice: 'eth1', ip: '192.168.152.1/24' },
      unmanaged: { 'walt-out': { rawDevice: 'eth0', ip: '10.1.2.3/16' }, lab: { rawDevice: 'eth2', ip: 'dhcp' } },
    },
  });
  const eth2 = (device: string) => (device === 'eth2' ? '172.16.0.9' : undefined);

  it('is loopback alone by default: not walt-net, even when walt-net has a raw device', () => {
    expect(userApiHosts(withListen(undefined))).toEqual(['127.0.0.1']);
    expect(userApiHosts(withListen([]))).toEqual(['127.0.0.1']);
  });

  it('adds the networks and addresses of api.listen (walt-net only when listed)', () => {
    expect(userApiHosts(withListen(['walt-out']))).toEqual(['127.0.0.1', '10.1.2.3']);
    expect(userApiHosts(withListen(['walt-out', 'walt-net', '10.1.2.3', '10.9.9.9']))).toEqual(['127.0.0.1', '10.1.2.3', '192.168.152.1', '10.9.9.9']);
    expect(userApiHosts(withListen(['lab']), eth2)).toEqual(['127.0.0.1', '172.16.0.9']);
  });

  it('says which entry is wrong', () => {
    expect(() => userApiHosts(withListen(['nowhere']))).toThrow("api.listen names 'nowhere', which is not a network of this config");
    expect(() => userApiHosts(withListen(['lab']), () => undefined)).toThrow("api.listen names 'lab', whose address (dhcp) is not known yet");
  });

  it('a wildcard api.host covers every address', () => {
    expect(userApiHosts(withListen(['walt-out'], '0.0.0.0'))).toEqual(['0.0.0.0']);
  });
});
