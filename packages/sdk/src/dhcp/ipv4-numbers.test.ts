import { isIPv4 } from 'node:net';
import { describe, expect, it } from 'vitest';
import { intToIp, ipToInt } from './ipv4-numbers.js';

describe('ipToInt / intToIp', () => {
  it('converts both ways', () => {
    expect(ipToInt('0.0.0.0')).toBe(0);
    expect(ipToInt('192.168.200.1')).toBe(0xc0a8c801);
    expect(ipToInt('255.255.255.255')).toBe(0xffffffff);
    expect(intToIp(0xc0a8c801)).toBe('192.168.200.1');
    expect(intToIp(0xffffffff)).toBe('255.255.255.255');
    for (let n = 0; n < 2 ** 32; n += 16_777_259) expect(ipToInt(intToIp(n))).toBe(n);
  });

  it('accepts exactly what node:net isIPv4 accepts', () => {
    const parts = ['0', '1', '9', '10', '99', '100', '199', '249', '250', '255', '256', '300', '999', '1000', '00', '01', '010', '-1', '+1', ' 1', '1 ', '', 'a', '0x1', '1e2', '٣'];
    const candidates: string[] = ['', '.', '...', '1.2.3', '1.2.3.4.5', '1.2.3.4.', '.1.2.3.4', '1..2.3', '1.2.3.4\n', '::1', '1.2.3.4/24'];
    for (const a of parts) for (const b of ['0', '255', a]) candidates.push(`${a}.${b}.1.${a}`, `1.2.3.${a}`, `${a}.2.3.4`);
    for (const ip of candidates) {
      let accepted = true;
      try {
        ipToInt(ip);
      } catch (e) {
        accepted = false;
        expect((e as Error).message).toBe(`invalid IPv4 address '${ip}'`);
      }
      expect([ip, accepted]).toEqual([ip, isIPv4(ip)]);
    }
  });
});
