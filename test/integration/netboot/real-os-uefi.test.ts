import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { followBoot, QemuPc, realNodeSkipped, startRealNodeServer, type RealNodeServer } from '../../helpers/real-node.js';

const OVMF_CODE = '/usr/share/OVMF/OVMF_CODE_4M.fd';
const OVMF_VARS = '/usr/share/OVMF/OVMF_VARS_4M.fd';
const PC_MAC = '52:54:00:12:35:71';
const NODE = 'node-123571';

/**
 * A PC that only does UEFI (qemu with OVMF, Debian package ovmf) PXE-boots the real image: its
 * firmware asks DHCP as PXEClient:Arch:00007, gets iPXE's snponly.efi (Debian package ipxe), then
 * the same script, start.ipxe, kernel and initrd over HTTP (the kernel's EFI stub opens the initrd
 * iPXE names on its command line: start.ipxe's initrd=initrd), NFS root: booted. The NIC has no
 * option ROM: with qemu's (an EFI iPXE) the firmware would hand the boot to that iPXE, and UEFI
 * PXE and snponly.efi would not be tested. One boot in CI (OVMF adds ~20 s of firmware before PXE).
 */
describe.skipIf(realNodeSkipped({ files: [OVMF_CODE, OVMF_VARS, '/usr/lib/ipxe/snponly.efi'] }))(
  'a UEFI PC boots the real OS from walt-server (OVMF, UEFI PXE, snponly.efi)',
  () => {
    let rn: RealNodeServer;
    let pc: QemuPc | undefined;
    const vars = mkdtempSync(join(tmpdir(), 'walt-ovmf-'));

    beforeAll(async () => {
      copyFileSync(OVMF_VARS, join(vars, 'vars.fd'));
      rn = await startRealNodeServer({ tag: 'uefi', subnet: '192.168.170' });
    }, 90_000);

    afterAll(async () => {
      await pc?.stop(rn?.server.dataDir);
      await rn?.stop();
      rmSync(vars, { recursive: true, force: true });
    }, 60_000);

    it('UEFI PXE, snponly.efi, the iPXE script, start.ipxe, kernel, initrd, NFS root: booted', async () => {
      pc = new QemuPc(rn.net.serverNs, {
        tap: rn.net.addTap(),
        mac: PC_MAC,
        nicRom: '',
        extraArgs: ['-machine', 'q35', '-drive', `if=pflash,format=raw,readonly=on,file=${OVMF_CODE}`, '-drive', `if=pflash,format=raw,file=${join(vars, 'vars.fd')}`],
      });
      await pc.started;
      const times = await followBoot(rn, pc, NODE, { timeoutMs: 900_000 });
      expect(rn.lines('platform.tftp').join('\n')).toMatch(/fetched pxe\/walt-x86-64-snponly\.efi/);
      console.log(`UEFI real OS boot, ms since the VM started: ${JSON.stringify(times)}`);
    }, 1_000_000);
  },
);
