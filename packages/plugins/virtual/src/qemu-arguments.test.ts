import { describe, expect, it } from 'vitest';
import { qemuArguments } from './qemu-arguments.js';
import { parseDisks, parseNetworks, vmSettings } from './vm-settings.js';

const direct = { kind: 'direct' as const, kernel: '/img/boot/pc-x86-64/kernel', initrd: '/img/boot/pc-x86-64/initrd', cmdline: 'console=ttyS0 ip=x', rootfs: '/img' };
const spec = { name: 'vm1', mac: '52:54:00:01:02:03', ip: '192.168.152.2', serverIp: '192.168.152.1', netmask: '255.255.255.0', boot: direct };

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

  it('refuses malformed disks and networks', () => {
    expect(() => parseDisks('8X')).toThrow(/invalid disk/);
    expect(() => parseDisks('8G[template=ntfs]')).toThrow(/unknown disk template/);
    expect(() => parseNetworks('ext')).toThrow(/must include walt-net/);
    expect(() => parseNetworks('walt-net,walt-net')).toThrow(/twice/);
    expect(() => parseNetworks('walt-net,ext[lat=fast]')).toThrow(/invalid restriction/);
  });
});

describe('qemu arguments', () => {
  it('direct boot: kernel, initrd, command line, image over 9p read-only, private walt-net, serial on stdio', () => {
    const args = qemuArguments({ spec, settings: vmSettings({ ram: '256M', 'cpu.cores': 1, 'boot.delay': '0' }), accel: 'tcg', diskFiles: [], networkMacs: {} });
    const line = args.join(' ');
    expect(line).toContain('-name vm1 -accel tcg -nodefaults -machine pc -cpu max -m 256M -smp 1');
    expect(line).toContain('-serial stdio');
    expect(line).toContain('-no-reboot');
    expect(line).toContain('-kernel /img/boot/pc-x86-64/kernel -initrd /img/boot/pc-x86-64/initrd -append console=ttyS0 ip=x');
    expect(line).toContain('-virtfs local,id=walt_image,path=/img,security_model=none,mount_tag=walt_image,readonly=on');
    expect(line).toContain('-netdev user,id=walt-net,restrict=on -device virtio-net-pci,mac=52:54:00:01:02:03,netdev=walt-net');
    expect(args).not.toContain('-boot');
  });

  it('PXE boot on a tap, kvm with the host CPU, disks and extra networks', () => {
    const settings = vmSettings({ disks: '8G,16G', networks: 'walt-net,ext' });
    const args = qemuArguments({
      spec: { ...spec, boot: { kind: 'pxe', tap: 'walt-vn-010203' } },
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
