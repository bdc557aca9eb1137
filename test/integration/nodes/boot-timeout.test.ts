import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectoryImageStore } from '../../../packages/core/src/images/directory-image-store.js';
import { udhcpc } from '../../helpers/dhcp-client.js';
import { createTestNetwork, type TestNetwork } from '../../helpers/netns.js';
import { platformLines } from '../../helpers/platform-log.js';
import { skipUnless } from '../../helpers/prerequisites.js';
import { startServer, type ServerHandle } from '../../helpers/walt-processes.js';

const MAC = 'b8:27:eb:f2:67:91';
const NODE = 'node-f26791';

/**
 * The boot timeout watchdog of a real server (reference section 6.1), without qemu: a node that
 * registers by DHCP and never notifies its bootup gets a hard-reboot try once its boot.timeout
 * (60 s, the smallest allowed) has passed, logged on platform.nodes; with no PoE switch port known,
 * the hard reboot fails and says why, and with boot.retries=1 that was the last try.
 */
describe.skipIf(skipUnless({ root: true, commands: ['ip', 'busybox', 'iptables'] }))('boot timeout and retries (network namespace)', () => {
  let net: TestNetwork;
  let server: ServerHandle;
  let images: string;

  beforeAll(async () => {
    net = createTestNetwork({ tag: 'btime', subnet: '192.168.167' });
    images = mkdtempSync(join(tmpdir(), 'walt-boot-timeout-images-'));
    DirectoryImageStore.writeImage(images, 'waltplatform/rpi-3-b-plus-default:latest', { 'boot/rpi-3-b-plus/start.uboot': 'uboot' }, { models: ['rpi-3-b-plus'] });
    server = await startServer({
      netns: net.serverNs,
      config: `network:\n  walt-net:\n    raw-device: ${net.serverIf}\n    ip: ${net.serverIp}/${net.prefix}\nimages:\n  directory: ${images}\napi:\n  port: 0\nservices:\n  nfs: {server: none}\n`,
    });
  });

  afterAll(async () => {
    await server?.stop({ cleanup: true });
    net?.destroy();
    rmSync(images, { recursive: true, force: true });
  });

  it('a node that does not boot within boot.timeout gets a hard-reboot try, then no more once boot.retries are used', async () => {
    const client = net.addClient(MAC);
    udhcpc(client.ns, client.ifname, { vendorClass: 'walt.node.rpi-3-b-plus' });
    const conf = await server.walt(['node', 'config', NODE, 'boot.timeout=60', 'boot.retries=1']);
    expect(conf.code, conf.stderr).toBe(0);
    const t0 = Date.now();
    const nodesLog = () => platformLines(server.dataDir, 'platform.nodes');
    while (!nodesLog().some((l) => l.includes('failed')) && Date.now() - t0 < 100_000) await new Promise((r) => setTimeout(r, 1000));
    const lines = nodesLog();
    expect(lines).toContain(`${NODE}: boot timeout reached, trying hard-reboot (last try).`);
    // No PoE position known for this node: the hard reboot cannot happen, and says why.
    expect(lines.find((l) => l.startsWith(`${NODE}: failed`))).toMatch(/^node-f26791: failed hard-reboot \(.+\)$/);
    // Registered at t0-ε: not before its 60 s.
    expect(Date.now() - t0).toBeGreaterThan(55_000);
  }, 130_000);
});
