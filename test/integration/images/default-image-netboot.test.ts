import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { udhcpc } from '../../helpers/dhcp-client.js';
import { createTestNetwork, inNetns, ip, type TestNetwork } from '../../helpers/netns.js';
import { skipUnless } from '../../helpers/prerequisites.js';
import { startServer, type ServerHandle } from '../../helpers/walt-processes.js';
import { buildImage, ENGINE, engineHas, localRegistryYaml, needsEngine, podmanCli, uniqueSuffix } from './images-test-kit.js';

const MODEL = 'rpi-3-b-plus';
const DEFAULT_IMAGE = `waltplatform/${MODEL}-default:latest`;
const MAC = 'b8:27:eb:5a:11:03';

/**
 * The first Raspberry Pi 3B+ of a platform: its DHCP request (busybox udhcpc, vendor class
 * walt.node.rpi-3-b-plus) makes the server pull the model's default image from the local registry
 * (the device is unknown meanwhile), and then the start.uboot TFTP serves it is that image's.
 */
describe.skipIf(needsEngine() || skipUnless({ root: true, commands: ['ip', 'busybox', 'tftp', 'iptables'] }))('default image of a never-seen model, over DHCP and TFTP', () => {
  const s = uniqueSuffix();
  let net: TestNetwork;
  let server: ServerHandle;
  let work: string;

  beforeAll(async () => {
    for (const ref of [`localhost/${DEFAULT_IMAGE}`, `${ENGINE.WALT_TEST_REGISTRY}/${DEFAULT_IMAGE}`, `docker.io/${DEFAULT_IMAGE}`]) {
      try {
        podmanCli(['rmi', '--force', ref]);
      } catch {
        /* not there */
      }
    }
    await buildImage({ ref: `${ENGINE.WALT_TEST_REGISTRY}/${DEFAULT_IMAGE}`, models: [MODEL], marker: `netboot-${s}` });
    work = mkdtempSync(join(tmpdir(), 'walt-images-netboot-'));
    net = createTestNetwork({ tag: 'imgnb', subnet: '192.168.171' });
    server = await startServer({
      netns: net.serverNs,
      config: `network:\n  walt-net:\n    raw-device: ${net.serverIf}\n    ip: ${net.serverIp}/${net.prefix}\napi:\n  port: 0\nimages:\n  engine-socket: ${ENGINE.WALT_TEST_PODMAN_SOCKET}\n  view-grace: 2\n${localRegistryYaml()}`,
    });
    const end = Date.now() + 10_000;
    while (!server.output().includes('TFTP server listening') && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  });

  afterAll(async () => {
    await server?.stop({ cleanup: true });
    net?.destroy();
    if (work) rmSync(work, { recursive: true, force: true });
    try {
      podmanCli(['rmi', '--force', `localhost/${DEFAULT_IMAGE}`]);
    } catch {
      /* gone */
    }
  });

  it('pulls the default image on the first DHCP request, then TFTP serves its start.uboot', async () => {
    expect(engineHas(`localhost/${DEFAULT_IMAGE}`)).toBe(false);
    const client = net.addClient(MAC);
    let lease = udhcpc(client.ns, client.ifname, { vendorClass: `walt.node.${MODEL}` });
    // Until the image is there the device is unknown; U-Boot retries DHCP, and so do we (bounded).
    const end = Date.now() + 90_000;
    while (!engineHas(`localhost/${DEFAULT_IMAGE}`) && Date.now() < end) await new Promise((r) => setTimeout(r, 250));
    expect(engineHas(`localhost/${DEFAULT_IMAGE}`)).toBe(true);
    let node: { type: string; image: string } | undefined;
    while (Date.now() < end) {
      const devices = JSON.parse((await server.walt(['device', 'show', '--json'])).stdout) as Array<{ mac: string; type: string; image: string }>;
      node = devices.find((d) => d.mac === MAC);
      if (node?.type === 'node') break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(node).toMatchObject({ type: 'node', image: DEFAULT_IMAGE });
    // The bootloader's next DHCP request (it retries until it gets a boot answer).
    lease = udhcpc(client.ns, client.ifname, { vendorClass: `walt.node.${MODEL}` });
    expect(server.output()).toContain(`Image ${DEFAULT_IMAGE} was downloaded successfully.`);
    ip('-n', client.ns, 'addr', 'add', `${lease.ip}/${net.prefix}`, 'dev', client.ifname);
    const out = join(work, 'start.uboot');
    inNetns(client.ns, 'tftp', ['-m', 'binary', net.serverIp, '-c', 'get', 'start.uboot', out], 30_000);
    const expected = execFileSync('sh', ['-c', `cat "$(${['podman', ...ENGINE.WALT_TEST_PODMAN_ARGS.split(' ')].join(' ')} image mount localhost/${DEFAULT_IMAGE})/boot/${MODEL}/start.uboot"`], {
      encoding: 'utf8',
      env: { ...process.env, CONTAINERS_CONF: '/var/tmp/walt-ci-podman/containers.conf' },
    });
    expect(readFileSync(out, 'utf8'), server.output().split('\n').filter((l) => !/plugins/.test(l)).join('\n')).toBe(expected);
    expect(expected).toContain(`netboot-${s}`);
    try {
      podmanCli(['image', 'unmount', `localhost/${DEFAULT_IMAGE}`]);
    } catch {
      /* best effort */
    }
  });
});
