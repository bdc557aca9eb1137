import { describe, expect, it } from 'vitest';
import { qemuArguments } from './qemu-arguments.js';
import { vmSettings } from './vm-settings.js';

const spec = { name: 'vm1', mac: '52:54:00:01:02:03', ip: '192.168.152.2', serverIp: '192.168.152.1', netmask: '255.255.255.0', boot: { kind: 'pxe' as const, tap: 'walt-vn-010203' } };

describe('qemu arguments', () => {
  it('PXE boot on the tap of the walt-net bridge, TCG, serial on stdio, no kernel of its own', () => {
    const args = qemuArguments({ spec, settings: vmSettings({ ram: '256M', 'cpu.cores': 1, 'boot.delay': '0' }), accel: 'tcg', diskFiles: [], networkMacs: {} });
    const line = args.join(' ');
    expect(line).toContain('-name vm1 -accel tcg -nodefaults -machine pc -cpu max,-cx16 -m 256M -smp 1');
    expect(line).toContain('-serial stdio');
    expect(line).toContain('-no-reboot');
    expect(line).toContain('-netdev tap,id=walt-net,ifname=walt-vn-010203,script=no,downscript=no -device virtio-net-pci,mac=52:54:00:01:02:03,netdev=walt-net');
    expect(line).toContain('-boot n');
    expect(line).not.toMatch(/-kernel|-initrd|-append|-virtfs|user,id=walt-net/);
  });

  it('PXE boot on a tap, kvm with the host CPU, disks and extra networks', () => {
    const settings = vmSettings({ disks: '8G,16G', networks: 'walt-net,ext' });
    const args = qemuArguments({
      spec,
      settings,
      accel: 'kvm',
      diskFiles: ['/d/disk_0.dd', '/d/disk_1.dd'],
      networkMacs: { ext: '52:54:00:aa:aa:aa' },
    });
    const line = args.join(' ');
    expect(line).toContain('-accel kvm -nodefaults -machine pc -cpu host');
    expect(line).toContain('-netdev tap,id=walt-net,ifname=walt-vn-010203,script=no,downscript=no -device virtio-net-pci,mac=52:54:00:01:02:03,netdev=walt-net');
    expect(line).toContain('-boot n');
    expect(line).not.toContain('-kernel');
    expect(line).toContain('-drive file=/d/disk_0.dd,format=raw,id=disk0,if=none -device virtio-scsi-pci -device scsi-hd,drive=disk0,product=QEMU-DISK');
    expect(line).toContain('-drive file=/d/disk_1.dd,format=raw,id=disk1,if=none -device scsi-hd,drive=disk1');
    expect(line).toContain('-device virtio-net-pci,mac=52:54:00:aa:aa:aa,netdev=ext');
  });
});
