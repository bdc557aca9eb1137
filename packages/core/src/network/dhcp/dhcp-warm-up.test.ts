import { describe, expect, it } from 'vitest';
import { Ipv4Subnet } from './ipv4.js';
import { warmUpDhcpPath } from './dhcp-warm-up.js';

describe('warmUpDhcpPath', () => {
  it('runs the codec and reply path on synthetic exchanges without error, for any walt-net', () => {
    for (const cidr of ['192.168.200.1/22', '10.0.0.1/8', '192.168.152.1/24', '172.16.0.1/30']) {
      const subnet = new Ipv4Subnet(cidr);
      expect(() => warmUpDhcpPath(subnet.addressString, 'walt-server', subnet, 50)).not.toThrow();
    }
  });
});
