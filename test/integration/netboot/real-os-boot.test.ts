import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM helper shared with the bench
import { testEngineEnv } from '../../fixtures/images/build-test-image.mjs';
import { createTestNetwork, type TestNetwork } from '../../helpers/netns.js';
import { platformLines } from '../../helpers/platform-log.js';
import { skipUnless } from '../../helpers/prerequisites.js';
import { startServer, type ServerHandle } from '../../helpers/walt-processes.js';

const ENGINE = testEngineEnv() as { WALT_TEST_PODMAN_SOCKET: string; WALT_TEST_REGISTRY: string };

/** Did .ci/node-image.sh push the real image to the local registry? (fails the test under CI, as a missing prerequisite) */
function nodeImageMissing(): boolean {
  try {
    const tags = execFileSync('curl', ['-sf', '--max-time', '5', `http://${ENGINE.WALT_TEST_REGISTRY}/v2/waltplatform/pc-x86-64-default/tags/list`], { encoding: 'utf8' });
    if ((JSON.parse(tags) as { tags?: string[] }).tags?.includes('latest')) return false;
  } catch {
    /* no registry or no image */
  }
  if (process.env.CI === 'true') throw new Error('CI is missing test prerequisites: the real node image (run .ci/node-image.sh)');
  return true;
}
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
describe.skipIf(
  skipUnless({
    root: true,
    commands: ['ip', 'qemu-system-x86_64', 'iptables', 'podman', 'ganesha.nfsd', 'rpcbind'],
    files: ['/usr/lib/ipxe/undionly.kpxe', '/usr/lib/ipxe/qemu/pxe-virtio.rom', ENGINE.WALT_TEST_PODMAN_SOCKET],
  }) || nodeImageMissing(),
)('a real OS boots from walt-server (qemu PXE, NFS root)', () => {
  let net: TestNetwork;
  let server: ServerHandle;
  let qemu: ChildProcess | undefined;
  let consoleText = '';
  const started = Date.now();
  const phases: Record<string, number> = {};

  beforeAll(async () => {
    net = createTestNetwork({ tag: 'osboot', subnet: '192.168.165' });
    const [host, port] = ENGINE.WALT_TEST_REGISTRY.split(':');
    server = await startServer({
      netns: net.serverNs,
      // Fixed side-channel port: the node scripts in the image view carry it (the server is alone in its namespace).
      config:
        `network:\n  walt-net:\n    raw-device: ${net.serverIf}\n    ip: ${net.serverIp}/${net.prefix}\n` +
        `api:\n  port: 0\n  tcp-port: 12347\nimages:\n  engine-socket: ${ENGINE.WALT_TEST_PODMAN_SOCKET}\n  view-grace: 5\n` +
        `registries:\n  - {label: local, api: docker-registry-v2, host: ${host}, port: ${port}, protocol: http}\n`,
      timeoutMs: 60_000,
    });
  }, 90_000);

  afterAll(async () => {
    if (qemu && qemu.exitCode === null) {
      const exited = new Promise((r) => qemu!.once('exit', r));
      qemu.kill('SIGKILL');
      await exited;
    }
    // WALT_TEST_KEEP=1 keeps the data dir, with the node's serial console for a look afterwards.
    if (process.env.WALT_TEST_KEEP && server) writeFileSync(join(server.dataDir, 'qemu-console.log'), consoleText);
    await server?.stop({ cleanup: !process.env.WALT_TEST_KEEP });
    net?.destroy();
  }, 60_000);

  const waitFor = async (what: string, cond: () => boolean, timeoutMs: number) => {
    const end = Date.now() + timeoutMs;
    while (!cond()) {
      if (Date.now() > end || (qemu && qemu.exitCode !== null)) {
        throw new Error(
          `${what}: not reached\n--- server:\n${server.output().slice(-4000)}\n--- console (tail):\n${consoleText.slice(-4000)}`,
        );
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
    phases[what] = Date.now() - started;
  };

  it('says which NFS server serves', () => {
    expect(server.output()).toMatch(/platform\.nfs -> NFS server: (nfs-ganesha|the kernel's nfsd)/);
  });

  it('PXE, iPXE, kernel, initrd, NFS root, walt-init, sshd: the node reaches booted', async () => {
    const tap = net.addTap();
    qemu = spawn(
      'ip',
      ['netns', 'exec', net.serverNs, 'qemu-system-x86_64', '-accel', 'tcg', '-cpu', 'max', '-m', '1024', '-nographic', '-no-reboot', '-boot', 'n',
        '-netdev', `tap,id=n0,ifname=${tap},script=no,downscript=no`, '-device', `virtio-net-pci,netdev=n0,mac=${PC_MAC}`],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    qemu.stdout!.on('data', (d) => (consoleText += d));
    qemu.stderr!.on('data', (d) => (consoleText += d));
    const tftp = (name: string) => () => platformLines(server.dataDir, 'platform.tftp').some((l) => l.includes(` fetched ${name}`));
    await waitFor('start.ipxe', tftp('start.ipxe'), 600_000);
    await waitFor('kernel', tftp('kernel'), 300_000);
    await waitFor('initrd', tftp('initrd'), 300_000);
    await waitFor('walt-init', () => consoleText.includes('walt-init: read-only NFS root'), 300_000);
    await waitFor('booted', () => platformLines(server.dataDir, 'platform.nodes').some((l) => l === `node ${NODE} is booted`), 400_000);
    const show = await server.walt(['node', 'show', '--all']);
    expect(show.stdout, show.stderr).toMatch(new RegExp(`${NODE}\\s.*\\byes\\b`, 'i'));
    console.log(`real OS boot, ms since the VM started: ${JSON.stringify(phases)}`);
  }, 1_500_000);

  it("the node's root is a tmpfs overlay over the NFS export of its image (checked on its console)", async () => {
    // The serial console logs root in (the image's getty override); ask the node itself.
    const ask = async (cmd: string, marker: string) => {
      const before = consoleText.length;
      // The quotes keep the typed command (echoed by the console) from matching the marker.
      qemu!.stdin!.write(`${cmd}; echo ${marker}-E''ND\n`);
      await waitFor(marker, () => consoleText.slice(before).includes(`${marker}-END\r`) || consoleText.slice(before).includes(`${marker}-END\n`), 120_000);
      return consoleText.slice(before);
    };
    await waitFor('login', () => /root@.*[#$]/.test(consoleText), 120_000);
    const out = await ask("awk '$2==\"/\" || $2==\"/run/walt/nfsroot\" || $2==\"/persist\" {print \"MNT\", $2, $3, $1}' /proc/mounts", 'ROOTCHECK');
    expect(out).toMatch(/MNT \/ overlay /);
    const server = net.serverIp.replace(/\./g, '\\.');
    expect(out).toMatch(new RegExp(`MNT /run/walt/nfsroot nfs4? ${server}:/var/lib/walt/nodes/${PC_MAC}/fs`));
    // and its read-write /persist, from the same server
    expect(out).toMatch(new RegExp(`MNT /persist nfs4? ${server}:/var/lib/walt/nodes/${PC_MAC}/persist`));
  }, 300_000);

  it("walt log show has the node's boot lines", async () => {
    // Free nodes (default image) are nobody's: name the node, and the platform streams.
    const res = await server.walt(['log', 'show', '--history', 'full', '--issuers', NODE, '--format', '{issuer} {stream} {line}']);
    expect(res.stdout + res.stderr).toMatch(new RegExp(`${NODE} walt-init walt-init: kernel \\S+, root walt-root \\(overlay\\) over \\S+:/var/lib/walt/nodes/${PC_MAC}/fs \\(nfs`));
    const platform = await server.walt(['log', 'show', '--history', 'full', '--platform', '--format', '{stream} {line}']);
    expect(platform.stdout + platform.stderr).toContain(`platform.nodes node ${NODE} is booted`);
  }, 120_000);

  it('walt node reboot: soft reboot through the node\'s net service, the node goes down and really resets', async () => {
    const res = await server.walt(['node', 'reboot', NODE], { timeoutMs: 120_000 });
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(platformLines(server.dataDir, 'platform.nodes')).toContain(`node ${NODE} is down (cause: reboot requested, method: soft-reboot)`);
    // qemu runs with -no-reboot: the guest's reset ends it (a VM that never rebooted would stay up).
    const end = Date.now() + 120_000;
    while (qemu!.exitCode === null && Date.now() < end) await new Promise((r) => setTimeout(r, 1000));
    expect(qemu!.exitCode, consoleText.slice(-2000)).not.toBeNull();
  }, 300_000);
});
