import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectoryImageStore } from '../../../packages/core/src/images/directory-image-store.js';
import { createTestNetwork, type TestNetwork } from '../../helpers/netns.js';
import { platformLines } from '../../helpers/platform-log.js';
import { skipUnless } from '../../helpers/prerequisites.js';
import { startServer, type ServerHandle } from '../../helpers/walt-processes.js';

const PC_MAC = '52:54:00:12:34:56';

/**
 * A PC (qemu, TCG: KVM is broken on this machine) PXE-boots over a tap on walt-net against the real
 * server: its ROM is iPXE, so it gets our generated script at once (PXE ROMs that are not iPXE get
 * undionly.kpxe first: tftp.test.ts), the script announces walt.node.pc-x86-64 (the ROM's iPXE has
 * `cpuid`) and chains start.ipxe from the image.
 */
describe.skipIf(skipUnless({ root: true, commands: ['ip', 'qemu-system-x86_64', 'iptables'], files: ['/usr/lib/ipxe/undionly.kpxe', '/usr/lib/ipxe/qemu/pxe-virtio.rom'] }))(
  'qemu PXE boot through iPXE to start.ipxe',
  () => {
    let net: TestNetwork;
    let server: ServerHandle;
    let images: string;
    let qemu: ChildProcess | undefined;
    let console = '';

    beforeAll(async () => {
      net = createTestNetwork({ tag: 'qemu', subnet: '192.168.164' });
      images = mkdtempSync(join(tmpdir(), 'walt-qemu-images-'));
      DirectoryImageStore.writeImage(
        images,
        'waltplatform/pc-x86-64-default:latest',
        { 'boot/pc-x86-64/start.ipxe': '#!ipxe\necho WALT-START-IPXE-REACHED ${user-class}\nsleep 600\n' },
        { models: ['pc-x86-64'] },
      );
      server = await startServer({
        netns: net.serverNs,
        config: `network:\n  walt-net:\n    raw-device: ${net.serverIf}\n    ip: ${net.serverIp}/${net.prefix}\nimages:\n  directory: ${images}\napi:\n  port: 0\n`,
      });
    });

    afterAll(async () => {
      if (qemu && qemu.exitCode === null) {
        const exited = new Promise((r) => qemu!.once('exit', r));
        qemu.kill('SIGKILL');
        await exited;
      }
      await server?.stop({ cleanup: true });
      net?.destroy();
      rmSync(images, { recursive: true, force: true });
    });

    it('its iPXE ROM runs the generated script without loading undionly.kpxe, and asks start.ipxe as a pc-x86-64 node', async () => {
      const tap = net.addTap();
      qemu = spawn(
        'ip',
        ['netns', 'exec', net.serverNs, 'qemu-system-x86_64', '-accel', 'tcg', '-m', '256', '-nographic', '-no-reboot', '-boot', 'n',
          '-netdev', `tap,id=n0,ifname=${tap},script=no,downscript=no`, '-device', `virtio-net-pci,netdev=n0,mac=${PC_MAC}`],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      qemu.stdout!.on('data', (d) => (console += d));
      qemu.stderr!.on('data', (d) => (console += d));
      const fetched = (name: string) => (l: string) => l.includes(` fetched ${name}`);
      const deadline = Date.now() + 150_000;
      let tftp: string[] = [];
      while (Date.now() < deadline) {
        tftp = platformLines(server.dataDir, 'platform.tftp');
        if (tftp.some(fetched('start.ipxe'))) break;
        if (qemu.exitCode !== null) break;
        await new Promise((r) => setTimeout(r, 1000));
      }
      const context = `\n--- tftp log:\n${tftp.join('\n')}\n--- devices log:\n${platformLines(server.dataDir, 'platform.devices').join('\n')}\n--- console (tail):\n${console.slice(-3000)}`;
      expect(tftp.some(fetched('pxe/walt-x86-undionly.kpxe')), context).toBe(false);
      expect(tftp.some(fetched('pxe/walt-boot.ipxe')), context).toBe(true);
      // start.ipxe is served to the node registered from the script's DHCP (user class walt.node.pc-x86-64).
      expect(tftp.find(fetched('start.ipxe')), context).toMatch(/^node-123456 \(pc-x86-64, 192\.168\.164\.\d+\) fetched start\.ipxe/);
      expect(platformLines(server.dataDir, 'platform.devices').join('\n'), context).toMatch(/new node.*name=node-123456 model=pc-x86-64 mac=52:54:00:12:34:56/);
      // And the script it received really ran: start.ipxe printed the user class.
      const end = Date.now() + 20_000;
      // Wait for the whole line: the serial console may deliver it in pieces.
      while (!/WALT-START-IPXE-REACHED [^\r\n]*[\r\n]/.test(console) && Date.now() < end) await new Promise((r) => setTimeout(r, 500));
      expect(console).toContain('WALT-START-IPXE-REACHED walt.node.pc-x86-64');
    }, 200_000);
  },
);
