import type { VirtualNodeSpec } from '@walt/sdk';
import type { VmSettings } from './vm-settings.js';

/** What qemu runs on: hardware virtualisation when it works, else the TCG emulator. */
export type Accel = 'kvm' | 'tcg';

export interface QemuPlan {
  spec: Pick<VirtualNodeSpec, 'name' | 'mac' | 'boot' | 'ip' | 'serverIp' | 'netmask'>;
  settings: VmSettings;
  accel: Accel;
  /** Disk image files, in the order of settings.disks. */
  diskFiles: string[];
  /** Persistent MACs of the extra networks, by network name. */
  networkMacs: Record<string, string>;
}

/**
 * The qemu-system-x86_64 command line of one VM start. The serial console is qemu's stdio (no
 * monitor multiplexed on it, so every byte a user types reaches the guest); `-no-reboot` makes a
 * guest reboot exit qemu, and the supervisor boots it again (the original's reboot loop).
 */
export function qemuArguments(plan: QemuPlan): string[] {
  const { spec, settings, accel } = plan;
  const args = [
    '-name', spec.name,
    '-accel', accel,
    '-nodefaults',
    '-machine', 'pc',
    // TCG: no CMPXCHG16B. qemu 7.2 as Debian builds it emulates each one in multi-threaded TCG by
    // stopping every vCPU, and the guest kernel's slab allocator issues one per allocation: without
    // it a boot is ~13% faster here. (It does not prevent the rare TCG guest hangs, about 1 boot in
    // 30 with every vCPU stuck: the boot watchdog's hard reboot restarts those VMs.)
    '-cpu', accel === 'kvm' ? 'host' : 'max,-cx16',
    '-m', settings.ram,
    '-smp', String(settings.cores),
    '-display', 'none',
    '-monitor', 'none',
    '-serial', 'stdio',
    '-no-reboot',
  ];
  settings.disks.forEach((_, i) => {
    args.push('-drive', `file=${plan.diskFiles[i]},format=raw,id=disk${i},if=none`);
    if (i === 0) args.push('-device', 'virtio-scsi-pci');
    args.push('-device', `scsi-hd,drive=disk${i},product=QEMU-DISK`);
  });
  // walt-net first: it is the boot interface (PXE on the host's tap) and carries the node's own MAC.
  args.push('-netdev', `tap,id=walt-net,ifname=${spec.boot.tap},script=no,downscript=no`);
  args.push('-device', `virtio-net-pci,mac=${spec.mac},netdev=walt-net`);
  for (const net of settings.extraNetworks) {
    args.push('-netdev', `user,id=${net.name},restrict=on`, '-device', `virtio-net-pci,mac=${plan.networkMacs[net.name]},netdev=${net.name}`);
  }
  args.push('-boot', 'n');
  return args;
}
