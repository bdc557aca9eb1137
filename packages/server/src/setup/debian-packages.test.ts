import { describe, expect, it } from 'vitest';
import { missingPackages } from './debian-packages.js';

describe('Debian packages walt-server-setup installs', () => {
  it('on a bare system: the first alternative of every need', () => {
    expect(missingPackages('/nonexistent', () => false)).toEqual(['podman', 'nfs-kernel-server', 'iptables', 'lldpd', 'snmp', 'qemu-system-x86', 'ipxe', 'iputils-ping', 'openssh-client']);
  });

  it('an installed alternative meets its need (Docker instead of Podman, nfs-ganesha instead of the kernel server)', () => {
    const installed = new Set(['docker.io', 'nfs-ganesha', 'iptables', 'lldpd', 'snmp', 'qemu-system-x86', 'ipxe', 'iputils-ping', 'openssh-client']);
    expect(missingPackages('/nonexistent', (p) => installed.has(p))).toEqual([]);
  });
});
