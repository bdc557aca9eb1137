import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM helper shared with the bench
import { testEngineEnv } from '../../fixtures/images/build-test-image.mjs';
import { createTestNetwork, type TestNetwork } from '../../helpers/netns.js';
import { platformLines } from '../../helpers/platform-log.js';
import { skipUnless } from '../../helpers/prerequisites.js';
import { startServer, type ServerHandle } from '../../helpers/walt-processes.js';

const ENGINE = testEngineEnv() as { WALT_TEST_PODMAN_SOCKET: string; WALT_TEST_REGISTRY: string };
const VNODE = 'vn-real';

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

/**
 * A virtual node on a bridged walt-net boots the real image through the same PXE path as a PC
 * (tap on the walt-net bridge, undionly.kpxe, start.ipxe, HTTP kernel+initrd, NFS root), then
 * `walt node reboot` takes it down and it boots again. Several TCG boots of minutes each: run on
 * demand (WALT_TEST_SLOW_BOOTS=1), not in every CI run (real-os-boot.test.ts boots once in CI).
 */
describe.skipIf(
  !process.env.WALT_TEST_SLOW_BOOTS ||
    skipUnless({ root: true, commands: ['ip', 'qemu-system-x86_64', 'iptables', 'podman', 'ganesha.nfsd', 'rpcbind'], files: ['/usr/lib/ipxe/undionly.kpxe', ENGINE.WALT_TEST_PODMAN_SOCKET] }) ||
    nodeImageMissing(),
)('a virtual node boots the real OS through PXE, and reboots', () => {
  let net: TestNetwork;
  let server: ServerHandle;
  const t0 = Date.now();
  const times: Record<string, number> = {};

  beforeAll(async () => {
    net = createTestNetwork({ tag: 'vnboot', subnet: '192.168.166' });
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
    await server?.walt(['node', 'remove', VNODE], { input: 'y\n' }).catch(() => undefined);
    await server?.stop({ cleanup: !process.env.WALT_TEST_KEEP });
    net?.destroy();
  }, 90_000);

  const nodesLog = () => platformLines(server.dataDir, 'platform.nodes');
  const waitLine = async (what: string, match: (l: string) => boolean, from: number, timeoutMs: number) => {
    const end = Date.now() + timeoutMs;
    while (!nodesLog().slice(from).some(match)) {
      if (Date.now() > end) throw new Error(`${what} not reached\n${nodesLog().join('\n')}\n--- server:\n${server.output().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 2000));
    }
    times[what] = Date.now() - t0;
  };

  it('walt node create: the VM PXE-boots on a tap of the walt-net bridge and reaches booted', async () => {
    const created = await server.walt(['node', 'create', VNODE], { timeoutMs: 600_000 });
    expect(created.code, created.stderr + created.stdout).toBe(0);
    // Under TCG a boot takes longer than the default boot.timeout (180 s): the boot watchdog would kill the VM.
    const conf = await server.walt(['node', 'config', VNODE, 'boot.timeout=900']);
    expect(conf.code, conf.stderr).toBe(0);
    await waitLine('booted', (l) => l === `node ${VNODE} is booted`, 0, 900_000);
    const tftp = platformLines(server.dataDir, 'platform.tftp').join('\n');
    expect(tftp).toMatch(/fetched pxe\/walt-x86-undionly\.kpxe/);
    expect(tftp).toMatch(/fetched kernel .*over HTTP|fetched kernel \(/);
    console.log(`virtual node, ms since walt node create: ${JSON.stringify(times)}`);
  }, 1_000_000);

  it('walt node reboot: down, then booted again', async () => {
    const from = nodesLog().length;
    const res = await server.walt(['node', 'reboot', VNODE], { timeoutMs: 120_000 });
    expect(res.code, res.stderr + res.stdout).toBe(0);
    await waitLine('down', (l) => l.startsWith(`node ${VNODE} is down`), from, 60_000);
    await waitLine('booted again', (l) => l === `node ${VNODE} is booted`, from, 900_000);
    console.log(`virtual node reboot, ms: ${JSON.stringify(times)}`);
  }, 1_000_000);
});
