import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM helper shared with the bench
import { testEngineEnv } from '../../fixtures/images/build-test-image.mjs';
import { createTestNetwork, type TestNetwork } from '../../helpers/netns.js';
import { platformLines } from '../../helpers/platform-log.js';
import { skipUnless } from '../../helpers/prerequisites.js';
import { REPO, startServer, WALT_BIN, type ServerHandle } from '../../helpers/walt-processes.js';

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
const PC_MAC = '52:54:00:12:35:4b';
const NODE = 'node-12354b';
const MAX_RSS = join(REPO, 'test/helpers/max-rss.mjs');

function sha256(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(file).on('data', (c) => h.update(c)).on('end', () => resolve(h.digest('hex'))).on('error', reject);
  });
}

/**
 * The experiment loop on the real image (issue 13): one qemu PC boots the real pc-x86-64 image as in
 * real-os-boot.test.ts (booted = sshd listens), then everything goes through the server's SSH
 * connection with the server's key: `walt node run` prints `uname -a`, `walt node cp` takes 200 MB
 * to the node and back (same sha256, client peak RSS printed), and `walt node shell` is driven
 * through tmux. One boot for the whole file (~3-6 min in TCG).
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
)('walt node run/cp/shell on a real OS node (qemu)', () => {
  let net: TestNetwork;
  let server: ServerHandle;
  let qemu: ChildProcess | undefined;
  let consoleText = '';
  let work: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'walt-k-real-'));
    net = createTestNetwork({ tag: 'ossess', subnet: '192.168.166' });
    const [host, port] = ENGINE.WALT_TEST_REGISTRY.split(':');
    server = await startServer({
      netns: net.serverNs,
      config:
        `network:\n  walt-net:\n    raw-device: ${net.serverIf}\n    ip: ${net.serverIp}/${net.prefix}\n` +
        `api:\n  port: 0\n  tcp-port: 12347\nimages:\n  engine-socket: ${ENGINE.WALT_TEST_PODMAN_SOCKET}\n  view-grace: 5\n` +
        `registries:\n  - {label: local, api: docker-registry-v2, host: ${host}, port: ${port}, protocol: http}\n`,
      timeoutMs: 60_000,
    });
    const tap = net.addTap();
    qemu = spawn(
      'ip',
      ['netns', 'exec', net.serverNs, 'qemu-system-x86_64', '-accel', 'tcg', '-cpu', 'max', '-m', '1536', '-nographic', '-no-reboot', '-boot', 'n',
        '-netdev', `tap,id=n0,ifname=${tap},script=no,downscript=no`, '-device', `virtio-net-pci,netdev=n0,mac=${PC_MAC}`],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    qemu.stdout!.on('data', (d) => (consoleText = (consoleText + d).slice(-20_000)));
    qemu.stderr!.on('data', (d) => (consoleText = (consoleText + d).slice(-20_000)));
    const end = Date.now() + 1_400_000;
    while (!platformLines(server.dataDir, 'platform.nodes').some((l) => l === `node ${NODE} is booted`)) {
      if (Date.now() > end || qemu.exitCode !== null) throw new Error(`the node did not boot\n--- server:\n${server.output().slice(-3000)}\n--- console:\n${consoleText.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 2000));
    }
  }, 1_500_000);

  afterAll(async () => {
    if (qemu && qemu.exitCode === null) {
      const exited = new Promise((r) => qemu!.once('exit', r));
      qemu.kill('SIGKILL');
      await exited;
    }
    await server?.stop({ cleanup: true });
    net?.destroy();
    if (work) rmSync(work, { recursive: true, force: true });
  }, 60_000);

  it('walt node run prints uname -a of the booted node', async () => {
    const r = await server.walt(['node', 'run', NODE, 'uname', '-a'], { timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Linux \S+ .* x86_64/);
    const missing = await server.walt(['node', 'run', NODE, 'no-such-command-k'], { timeoutMs: 120_000 });
    expect(missing.code).toBe(127);
  }, 300_000);

  it('walt node cp: 200 MB to the node and back, same sha256, the client never holds it', async () => {
    const big = join(work, 'big.bin');
    execFileSync('sh', ['-c', `head -c ${200 * 1024 * 1024} /dev/urandom > ${big}`]);
    const want = await sha256(big);
    const rss = (file: string, args: string[]) =>
      new Promise<{ code: number; stderr: string; kib: number }>((resolve, reject) => {
        const child = spawn('ip', ['netns', 'exec', net.serverNs, process.execPath, MAX_RSS, WALT_BIN, ...args], {
          env: { ...process.env, WALT_SERVER: server.address, WALT_USER: 'alice', WALT_CONFIG_FILE: join(work, 'none'), MAX_RSS_FILE: file },
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        child.stderr.on('data', (d) => (stderr += d));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code: code ?? 1, stderr, kib: existsSync(file) ? Number(readFileSync(file, 'utf8')) : 0 }));
      });
    const to = await rss(join(work, 'rss-to'), ['node', 'cp', big, `${NODE}:/tmp/big.bin`]);
    expect(to.code, to.stderr).toBe(0);
    const remote = await server.walt(['node', 'run', NODE, 'sha256sum /tmp/big.bin'], { timeoutMs: 300_000 });
    expect(remote.stdout.split(' ')[0]).toBe(want);
    const back = join(work, 'back.bin');
    const from = await rss(join(work, 'rss-from'), ['node', 'cp', `${NODE}:/tmp/big.bin`, back]);
    expect(from.code, from.stderr).toBe(0);
    expect(await sha256(back)).toBe(want);
    console.log(`real node, walt node cp 200 MB: client peak RSS ${Math.round(to.kib / 1024)} MiB to, ${Math.round(from.kib / 1024)} MiB from`);
    expect(to.kib).toBeLessThan(160 * 1024);
    expect(from.kib).toBeLessThan(160 * 1024);
    await server.walt(['node', 'run', NODE, 'rm -f /tmp/big.bin'], { timeoutMs: 120_000 });
  }, 900_000);

  it('walt node shell through tmux runs a command and exits with its status', async () => {
    const session = `k-real-${process.pid}`;
    const status = join(work, 'status');
    const cmd = `ip netns exec ${net.serverNs} env WALT_SERVER=${server.address} WALT_USER=alice WALT_CONFIG_FILE=${join(work, 'none')} ${process.execPath} ${WALT_BIN} node shell ${NODE}; echo $? > ${status}; sleep 30`;
    execFileSync('tmux', ['new-session', '-d', '-s', session, '-x', '120', '-y', '30', cmd]);
    const pane = () => execFileSync('tmux', ['capture-pane', '-p', '-t', session], { encoding: 'utf8' });
    const waitFor = async (what: () => boolean, label: string, ms: number) => {
      const end = Date.now() + ms;
      while (!what()) {
        if (Date.now() > end) throw new Error(`${label} never came; pane:\n${pane()}`);
        await new Promise((res) => setTimeout(res, 500));
      }
    };
    try {
      await waitFor(() => /[#$]\s*$/m.test(pane()), 'the prompt', 120_000);
      execFileSync('tmux', ['send-keys', '-t', session, 'echo k-$((6*7)); exit 5', 'Enter']);
      await waitFor(() => existsSync(status), 'the exit', 120_000);
      expect(pane()).toContain('k-42');
      expect(readFileSync(status, 'utf8').trim()).toBe('5');
    } finally {
      execFileSync('tmux', ['kill-session', '-t', session]);
    }
  }, 300_000);
});
