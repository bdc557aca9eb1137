import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** One need of the server, met by the first of its Debian packages already installed, else by installing the first. */
export interface PackageNeed {
  why: string;
  alternatives: readonly string[];
}

/** What walt-server uses on the host (the same list as the original's server setup). */
export function packageNeeds(): PackageNeed[] {
  return [
    { why: 'image containers (API socket /run/podman/podman.sock)', alternatives: ['podman', 'docker.io', 'docker-ce'] },
    { why: 'NFS export of the images to the nodes', alternatives: ['nfs-kernel-server', 'nfs-ganesha'] },
    { why: 'walt-net filtering and NAT', alternatives: ['iptables'] },
    { why: 'switch neighbour discovery (LLDP)', alternatives: ['lldpd'] },
    { why: 'SNMP tools to query switches', alternatives: ['snmp'] },
    { why: 'virtual nodes', alternatives: ['qemu-system-x86'] },
    { why: 'network boot of PCs', alternatives: ['ipxe'] },
    { why: 'walt node ping, from the server (walt-net)', alternatives: ['iputils-ping'] },
    { why: 'walt node cp through OpenSSH (without it, copies take the slower in-process SSH)', alternatives: ['openssh-client'] },
  ];
}

/** Whether a package is installed in the system under `root` (its dpkg database). */
export function isInstalled(pkg: string, root: string): boolean {
  const admindir = join(root, 'var/lib/dpkg');
  if (!existsSync(join(admindir, 'status'))) return false;
  const r = spawnSync('dpkg-query', [`--admindir=${admindir}`, '-W', '-f=${db:Status-Abbrev}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.startsWith('ii');
}

/** The packages to install: for each need not met yet, its first alternative. */
export function missingPackages(root: string, installed: (pkg: string) => boolean = (p) => isInstalled(p, root)): string[] {
  return packageNeeds()
    .filter((need) => !need.alternatives.some(installed))
    .map((need) => need.alternatives[0]);
}
