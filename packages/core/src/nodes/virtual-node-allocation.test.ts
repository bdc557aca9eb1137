import { describe, expect, it } from 'vitest';
import { freeVirtualMac, lowestFreeIp, netmaskOf } from './virtual-node-allocation.js';

describe('virtual node allocation', () => {
  it('draws 52:54:00 MACs and skips taken ones', () => {
    const draws = [Buffer.from([0xaa, 0xbb, 0xcc]), Buffer.from([0x01, 0x02, 0x03])];
    const mac = freeVirtualMac((m) => m === '52:54:00:aa:bb:cc', () => draws.shift()!);
    expect(mac).toBe('52:54:00:01:02:03');
  });

  it('gives up when every draw is taken', () => {
    expect(() => freeVirtualMac(() => true, () => Buffer.from([1, 2, 3]))).toThrow(/no free/);
  });

  it('takes the lowest free host address, never the server, network or broadcast address', () => {
    expect(lowestFreeIp('192.168.152.1/24', new Set(['192.168.152.1']))).toBe('192.168.152.2');
    expect(lowestFreeIp('192.168.152.1/24', new Set(['192.168.152.1', '192.168.152.2', '192.168.152.4']))).toBe('192.168.152.3');
    expect(lowestFreeIp('10.0.0.254/30', new Set(['10.0.0.254']))).toBe('10.0.0.253');
    expect(lowestFreeIp('10.0.0.1/30', new Set(['10.0.0.1', '10.0.0.2']))).toBeUndefined();
  });

  it('computes netmasks', () => {
    expect(netmaskOf('192.168.152.1/24')).toBe('255.255.255.0');
    expect(netmaskOf('10.1.0.1/20')).toBe('255.255.240.0');
  });
});
