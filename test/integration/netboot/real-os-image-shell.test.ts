import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM helper shared with the bench
import { podman, testEngineEnv } from '../../fixtures/images/build-test-image.mjs';
import { createTestNetwork, type TestNetwork } from '../../helpers/netns.js';
import { platformLines } from '../../helpers/platform-log.js';
import { skipUnless } from '../../helpers/prerequisites.js';
import { Terminal } from '../../helpers/tmux-terminal.js';
import { startServer, WALT_BIN, type ServerHandle } from '../../helpers/walt-processes.js';

const ENGINE = testEngineEnv() as { WALT_TEST_PODMAN_SOCKET: string; WALT_TEST_REGISTRY: string };
const NODE_IMAGE = process.env.WALT_TEST_NODE_IMAGE || `${ENGINE.WALT_TEST_REGISTRY}/waltplatform/pc-x86-64-default:latest`;

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

const PC_MAC = '52:54:00:12:36:01';
const NODE = 'node-123601';
const USER = 'imgshell';

/**
 * The experiment loop on a real OS (issue 13): one qemu PC (TCG) boots the default image; meanwhile
 * the user changes a copy of it with `walt image shell` (typed in tmux) and builds another from a
 * Dockerfile; `walt node boot` onto the first, the node reboots and has the file written in the
 * shell; then onto the Dockerfile-built one, and it has that file. One VM, rebooted twice.
 */
// Not yet seen passing on a loaded machine (the NFS root of a parallel run's rpcbind, decision 0017): on demand
// with WALT_TEST_SLOW_BOOTS=1 until it has passed in CI conditions.
describe.skipIf(
  !process.env.WALT_TEST_SLOW_BOOTS ||
  skipUnless({
    root: true,
    commands: ['ip', 'qemu-system-x86_64', 'iptables', 'podman', 'ganesha.nfsd', 'rpcbind', 'tmux'],
    files: ['/usr/lib/ipxe/undionly.kpxe', '/usr/lib/ipxe/qemu/pxe-virtio.rom', ENGINE.WALT_TEST_PODMAN_SOCKET],
  }) || nodeImageMissing(),
)('a real node boots images changed by walt image shell and built by walt image build', () => {
  let net: TestNetwork;
  let server: ServerHandle;
  let qemu: ChildProcess | undefined;
  let consoleText = '';
  let work: string;
  const terminals: Terminal[] = [];
  const walt = (args: string[], input?: string) => server.walt(args, { user: USER, timeoutMs: 600_000, input });

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'walt-real-image-shell-'));
    net = createTestNetwork({ tag: 'imgsh', subnet: '192.168.169' });
    const [host, port] = ENGINE.WALT_TEST_REGISTRY.split(':');
    server = await startServer({
      netns: net.serverNs,
      config:
        `network:\n  walt-net:\n    raw-device: ${net.serverIf}\n    ip: ${net.serverIp}/${net.prefix}\n` +
        `api:\n  port: 0\n  tcp-port: 12347\nimages:\n  engine-socket: ${ENGINE.WALT_TEST_PODMAN_SOCKET}\n  view-grace: 5\n` +
        `registries:\n  - {label: local, api: docker-registry-v2, host: ${host}, port: ${port}, protocol: http}\n`,
      timeoutMs: 60_000,
    });
  }, 90_000);

  afterAll(async () => {
    for (const t of terminals) t.close();
    if (qemu && qemu.exitCode === null) {
      const exited = new Promise((r) => qemu!.once('exit', r));
      qemu.kill('SIGKILL');
      await exited;
    }
    if (process.env.WALT_TEST_KEEP && server) writeFileSync(join(server.dataDir, 'qemu-console.log'), consoleText);
    await server?.stop({ cleanup: !process.env.WALT_TEST_KEEP });
    net?.destroy();
    for (const ref of [`localhost/${USER}/shelled:latest`, `localhost/${USER}/built:latest`]) {
      try {
        (podman as (args: string[]) => string)(['rmi', '--force', ref]);
      } catch {
        /* gone */
      }
    }
    rmSync(work, { recursive: true, force: true });
  }, 120_000);

  const waitFor = async (what: string, cond: () => boolean, timeoutMs: number) => {
    const end = Date.now() + timeoutMs;
    while (!cond()) {
      if (Date.now() > end || (qemu && qemu.exitCode !== null)) {
        throw new Error(`${what}: not reached\n--- server:\n${server.output().slice(-3000)}\n--- console (tail):\n${consoleText.slice(-3000)}`);
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  };
  const boots = () => platformLines(server.dataDir, 'platform.nodes').filter((l) => l === `node ${NODE} is booted`).length;
  /** Run a command on the node's serial console (logged in as root by the image) and return what it printed. */
  const onNode = async (cmd: string, marker: string, since: number) => {
    await waitFor('login', () => /root@[^\n]*[#$]/.test(consoleText.slice(since)), 180_000);
    const before = consoleText.length;
    qemu!.stdin!.write(`${cmd}; echo ${marker}-E''ND\n`);
    await waitFor(marker, () => /-END\r?\n/.test(consoleText.slice(before)) && consoleText.slice(before).includes(`${marker}-END`), 120_000);
    return consoleText.slice(before);
  };

  it('the node boots its default image while the user shells into a copy and builds another', async () => {
    const tap = net.addTap();
    // No -no-reboot: a soft reboot resets the guest, which PXE-boots again (the image it boots now).
    qemu = spawn(
      'ip',
      ['netns', 'exec', net.serverNs, 'qemu-system-x86_64', '-accel', 'tcg', '-cpu', 'max', '-m', '1024', '-nographic', '-boot', 'n',
        '-netdev', `tap,id=n0,ifname=${tap},script=no,downscript=no`, '-device', `virtio-net-pci,netdev=n0,mac=${PC_MAC}`],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    qemu.stdout!.on('data', (d) => (consoleText += d));
    qemu.stderr!.on('data', (d) => (consoleText += d));

    // The user's copy of the default image (through the registry), changed with walt image shell in a terminal.
    const clone = await walt(['image', 'clone', 'local:waltplatform/pc-x86-64-default', 'shelled']);
    expect(clone.code, clone.stdout + clone.stderr).toBe(0);
    const t = Terminal.open(
      `l-realshell-${process.pid}`,
      `ip netns exec ${net.serverNs} env WALT_SERVER=${server.address} WALT_USER=${USER} WALT_CONFIG_FILE=${work}/none ${process.execPath} ${WALT_BIN} image shell shelled; echo "EXIT=$?"; sleep 900`,
    );
    terminals.push(t);
    await t.waitFor('root@image-shell', 120_000);
    t.type('echo written-in-image-shell > /root/from-image-shell.txt; exit');
    await t.waitFor('New image name:');
    t.keys('Enter');
    await t.waitFor('Are you sure? (y/n):');
    t.type('y');
    await t.waitFor('EXIT=0', 300_000);
    expect(t.screen()).toContain('Image shelled updated.');

    // And one built from a Dockerfile (a shell command instead of apt-get: no Debian mirror in CI).
    const ctx = join(work, 'ctx');
    mkdirSync(ctx);
    writeFileSync(join(ctx, 'Dockerfile'), `FROM ${NODE_IMAGE}\nRUN echo written-by-dockerfile > /root/from-dockerfile.txt\n`);
    const build = await walt(['image', 'build', '--from-dir', ctx, 'built']);
    expect(build.code, build.stdout + build.stderr).toBe(0);

    await waitFor('first boot', () => boots() >= 1, 1_200_000);
  }, 1_500_000);

  it('walt node boot onto the image changed in the shell: after its reboot the node has the file', async () => {
    const since = consoleText.length;
    const res = await walt(['node', 'boot', NODE, 'shelled', '--yes']);
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(res.stdout).toMatch(/rebooted OK/);
    await waitFor('second boot', () => boots() >= 2, 1_200_000);
    const out = await onNode('cat /root/from-image-shell.txt', 'SHELLFILE', since);
    expect(out).toContain('written-in-image-shell');
  }, 1_500_000);

  it('then onto the Dockerfile-built image: the node has its file', async () => {
    const since = consoleText.length;
    const res = await walt(['node', 'boot', NODE, 'built', '--yes']);
    expect(res.code, res.stdout + res.stderr).toBe(0);
    await waitFor('third boot', () => boots() >= 3, 1_200_000);
    const out = await onNode('cat /root/from-dockerfile.txt; test -e /root/from-image-shell.txt || echo no-shell-file', 'BUILTFILE', since);
    expect(out).toContain('written-by-dockerfile');
    expect(out).toContain('no-shell-file');
  }, 1_500_000);
});
