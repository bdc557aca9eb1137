import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { followBoot, QemuPc, realNodeSkipped, startRealNodeServer, type RealNodeServer } from '../../helpers/real-node.js';

const PC_MAC = '52:54:00:12:35:01';
const NODE = 'node-123501';

/**
 * The whole chain with a real OS (issue 12): a qemu PC (TCG) on a tap on walt-net PXE-boots with
 * its BIOS, gets undionly.kpxe and the generated iPXE script, then the start.ipxe, kernel and
 * initrd of the real pc-x86-64 default image (images/pc-x86-64-default, pulled from the local
 * registry on the node's first DHCP request), mounts its root over NFS from the nfs-ganesha the
 * server started (this kernel has no nfsd), walt-init adds the tmpfs overlay, systemd starts sshd,
 * and the node notifies the server: booted. Checked from inside the node on its serial console.
 * The image comes from .ci/node-image.sh (built once per machine, pushed to the local registry).
 */
describe.skipIf(realNodeSkipped())('a real OS boots from walt-server (qemu PXE, NFS root)', () => {
  let rn: RealNodeServer;
  let pc: QemuPc | undefined;

  beforeAll(async () => {
    rn = await startRealNodeServer({ tag: 'osboot', subnet: '192.168.165' });
  }, 90_000);

  afterAll(async () => {
    await pc?.stop(rn?.server.dataDir);
    await rn?.stop();
  }, 60_000);

  it('says which NFS server serves', () => {
    expect(rn.server.output()).toMatch(/platform\.nfs -> NFS server: (nfs-ganesha|the kernel's nfsd)/);
  });

  it('PXE, iPXE, kernel, initrd, NFS root, walt-init, sshd: the node reaches booted', async () => {
    // -no-reboot: the soft reboot below must really reset the PC (a reset ends qemu).
    pc = new QemuPc(rn.net.serverNs, { tap: rn.net.addTap(), mac: PC_MAC, noReboot: true });
    await pc.started;
    const times = await followBoot(rn, pc, NODE);
    const show = await rn.server.walt(['node', 'show', '--all']);
    expect(show.stdout, show.stderr).toMatch(new RegExp(`${NODE}\\s.*\\byes\\b`, 'i'));
    console.log(`real OS boot, ms since the VM started: ${JSON.stringify(times)}`);
  }, 2_400_000);

  it("the node's root is a tmpfs overlay over the NFS export of its image (checked on its console)", async () => {
    // The serial console logs root in (the image's getty override); ask the node itself.
    await pc!.waitFor('login', () => /root@.*[#$]/.test(pc!.consoleText), 120_000);
    const out = await pc!.ask("awk '$2==\"/\" || $2==\"/run/walt/nfsroot\" || $2==\"/persist\" {print \"MNT\", $2, $3, $1}' /proc/mounts", 'ROOTCHECK');
    expect(out).toMatch(/MNT \/ overlay /);
    const server = rn.net.serverIp.replace(/\./g, '\\.');
    expect(out).toMatch(new RegExp(`MNT /run/walt/nfsroot nfs4? ${server}:/var/lib/walt/nodes/${PC_MAC}/fs`));
    // and its read-write /persist, from the same server
    expect(out).toMatch(new RegExp(`MNT /persist nfs4? ${server}:/var/lib/walt/nodes/${PC_MAC}/persist`));
  }, 300_000);

  it("walt log show has the node's boot lines", async () => {
    // Free nodes (default image) are nobody's: name the node, and the platform streams.
    const res = await rn.server.walt(['log', 'show', '--history', 'full', '--issuers', NODE, '--format', '{issuer} {stream} {line}']);
    expect(res.stdout + res.stderr).toMatch(new RegExp(`${NODE} walt-init walt-init: kernel \\S+, root walt-root \\(overlay\\) over \\S+:/var/lib/walt/nodes/${PC_MAC}/fs \\(nfs`));
    const platform = await rn.server.walt(['log', 'show', '--history', 'full', '--platform', '--format', '{stream} {line}']);
    expect(platform.stdout + platform.stderr).toContain(`platform.nodes node ${NODE} is booted`);
  }, 120_000);

  it("walt node reboot: soft reboot through the node's net service, the node goes down and really resets", async () => {
    const res = await rn.server.walt(['node', 'reboot', NODE], { timeoutMs: 120_000 });
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(rn.lines('platform.nodes')).toContain(`node ${NODE} is down (cause: reboot requested, method: soft-reboot)`);
    // qemu runs with -no-reboot: the guest's reset ends it (a VM that never rebooted would stay up).
    const end = Date.now() + 120_000;
    while (!pc!.dead() && Date.now() < end) await new Promise((r) => setTimeout(r, 1000));
    expect(pc!.dead(), pc!.consoleText.slice(-2000)).toBeDefined();
  }, 300_000);
});
