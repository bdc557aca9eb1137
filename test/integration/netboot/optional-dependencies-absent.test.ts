import { existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPluginState } from '../../../packages/core/src/plugins/plugin-state.js';
import { prepareSimulatorNamespace, runSimulator, udhcpc } from '../../helpers/dhcp-client.js';
import { createTestNetwork, type TestNetwork } from '../../helpers/netns.js';
import { platformLines } from '../../helpers/platform-log.js';
import { skipUnless } from '../../helpers/prerequisites.js';
import { REPO, startServer, type ServerHandle } from '../../helpers/walt-processes.js';

/**
 * walt-server with every optional dependency absent at once (issue 10 item 1): no image engine, no
 * NFS server (kernel exports configured, exportfs not installed), no iptables, no qemu, no SNMP agent.
 * They are made absent for the server process only: a PATH holding just `ip` (needed to enter the
 * namespace) and a config naming what is not there. Every node model the built-in plugins define, a
 * plain client, an iPXE/PXE ROM client and a Raspberry Pi firmware client must get a lease, and the
 * server must still be alive and say, in one line each, what is missing.
 */

const INJECTOR = join(REPO, 'test/fixtures/unexpected-errors/on-sigusr2.mjs');

/** A folder that stands for PATH: only the commands the test harness itself needs to start the server. */
function barePath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'walt-bare-path-'));
  for (const cmd of ['ip']) {
    const found = ['/usr/sbin', '/usr/bin', '/sbin', '/bin'].map((d) => join(d, cmd)).find((p) => existsSync(p));
    if (found) symlinkSync(found, join(dir, cmd));
  }
  return dir;
}

function config(net: TestNetwork, dataDir: string, images: string): string {
  return [
    'network:',
    '  walt-net:',
    `    raw-device: ${net.serverIf}`,
    `    ip: ${net.serverIp}/${net.prefix}`,
    images,
    'services:',
    '  nfs:',
    '    server: kernel',
    `    exports-dir: ${join(dataDir, 'exports.d')}`,
    'api:',
    '  port: 0',
    '',
  ].join('\n');
}

/** The node models the built-in plugins define, as the server reported them at start. */
function builtinModels(dataDir: string): string[] {
  const state = readPluginState(dataDir);
  const models = (state?.results ?? []).filter((r) => r.origin === 'builtin').flatMap((r) => r.contributes.nodeModels);
  return [...new Set(models)].sort();
}

const variants = [
  // The crash of the issue: no Podman socket at all (the default socket path does not exist).
  { name: 'no Podman socket', tag: 'abs1', subnet: '192.168.171', images: '', imageError: /no image engine: no Podman socket at .*install podman/ },
  // The same with images.engine-socket pointing nowhere.
  {
    name: 'images.engine-socket pointing nowhere',
    tag: 'abs2',
    subnet: '192.168.172',
    images: 'images:\n  engine-socket: /nonexistent/podman.sock',
    imageError: /no image engine: nothing answers on \/nonexistent\/podman\.sock.*install podman/,
  },
];

describe.skipIf(skipUnless({ root: true, commands: ['ip', 'busybox'] }))('walt-server with every optional dependency absent', () => {
  for (const variant of variants) {
    describe(variant.name, () => {
      let net: TestNetwork;
      let server: ServerHandle;
      let path: string;
      let dataDir: string;

      beforeAll(async () => {
        if (!variant.images) expect(existsSync('/run/podman/podman.sock'), 'this case needs the default Podman socket to be absent').toBe(false);
        net = createTestNetwork({ tag: variant.tag, subnet: variant.subnet });
        path = barePath();
        dataDir = mkdtempSync(join(tmpdir(), 'walt-absent-'));
        server = await startServer({
          netns: net.serverNs,
          dataDir,
          config: config(net, dataDir, variant.images),
          env: { PATH: path, NODE_OPTIONS: `--import=${INJECTOR}` },
        });
      });

      afterAll(async () => {
        await server?.stop({ cleanup: true });
        net?.destroy();
        if (path) rmSync(path, { recursive: true, force: true });
      });

      it('leases every built-in model, a plain client, a PXE client and a Raspberry Pi firmware client, and stays alive', async () => {
        const models = builtinModels(dataDir);
        expect(models).toEqual(expect.arrayContaining(['pc-x86-64', 'rpi-3-b-plus', 'rpi-4-b', 'coral-dev-board']));
        const leases = new Map<string, string>();
        let n = 0;
        for (const model of models) {
          const mac = `02:ab:00:00:01:${(++n).toString(16).padStart(2, '0')}`;
          const client = net.addClient(mac);
          const lease = udhcpc(client.ns, client.ifname, { vendorClass: `walt.node.${model}` });
          expect(server.process.exitCode, `server died after walt.node.${model}:\n${server.output()}`).toBeNull();
          leases.set(mac, lease.ip);
        }
        const plain = net.addClient('02:ab:00:00:02:01');
        leases.set('02:ab:00:00:02:01', udhcpc(plain.ns, plain.ifname).ip);

        // iPXE (user class iPXE) and a PXE ROM, and the Pi bootloader (Raspberry Pi OUI, PXEClient:Arch:00000).
        const sim = net.addClient('02:ab:00:00:03:fe');
        prepareSimulatorNamespace(sim.ns, sim.ifname, `${variant.subnet}.250/24`);
        const shaped = [
          { mac: '02:ab:00:00:03:01', vendorClass: 'PXEClient:Arch:00000:UNDI:002001', userClass: 'iPXE' },
          { mac: '02:ab:00:00:03:02', vendorClass: 'PXEClient:Arch:00007:UNDI:003016' },
          { mac: 'b8:27:eb:00:03:03', vendorClass: 'PXEClient:Arch:00000:UNDI:002001' },
          { mac: 'dc:a6:32:00:03:04', vendorClass: 'PXEClient:Arch:00000:UNDI:002001' },
        ];
        const run = runSimulator(sim.ns, { clients: shaped, timeoutMs: 20_000, retryMs: 500 });
        const done = await run.done;
        const outcomes = done.outcomes as Array<{ mac: string; ip?: string }>;
        for (const c of shaped) expect(outcomes.find((o) => o.mac === c.mac)?.ip, `${c.mac} (${c.vendorClass}) got no lease`).toMatch(/^192\.168\./);

        // The background work (default image fetches) reports on its own time: wait for its lines (bounded).
        const unknownLines = () => platformLines(dataDir, 'platform.devices').filter((l) => /^New [\w-]+ nodes will be seen as devices of type 'unknown'/.test(l));
        for (const end = Date.now() + 20_000; unknownLines().length < models.length && Date.now() < end; ) await new Promise((r) => setTimeout(r, 200));
        expect(server.process.exitCode, server.output()).toBeNull();
        expect(server.output()).not.toMatch(/unhandledRejection|uncaughtException|unexpected (rejection|exception)/);
        expect(new Set(leases.values()).size).toBe(leases.size);

        // Every node is registered, as an unknown device (no engine: no default image), and nothing else changed.
        const devices = await server.walt(['device', 'show', '--json']);
        expect(devices.code, devices.stderr).toBe(0);
        const listed = JSON.parse(devices.stdout) as unknown;
        const text = JSON.stringify(listed);
        for (const mac of leases.keys()) expect(text).toContain(mac);
        const nodes = await server.walt(['node', 'show', '--all', '--json']);
        expect(nodes.code, nodes.stderr).toBe(0);
        for (const mac of leases.keys()) expect(nodes.stdout).not.toContain(mac);

        // The platform log says, once, what is missing.
        const deviceErrors = platformLines(dataDir, 'platform.devices').filter((l) => variant.imageError.test(l));
        expect(deviceErrors.length, deviceErrors.join('\n')).toBe(1); // once, not once per node or model
        expect(unknownLines()).toHaveLength(models.length);
        const network = platformLines(dataDir, 'platform.network');
        expect(network.filter((l) => /iptables/.test(l)), network.join('\n')).toEqual([expect.stringMatching(/^firewall rules could not be installed: .*\(is iptables installed\?\)$/)]);
        const nfs = platformLines(dataDir, 'platform.nfs');
        expect(nfs.filter((l) => /exportfs/.test(l)), nfs.join('\n')).toEqual([expect.stringMatching(/^Warning: exportfs failed! .*ENOENT \(exportfs is not installed: install nfs-kernel-server/)]);
      }, 120_000); // a dozen real clients one after the other, on a busy machine

      it('virtual nodes and switch scans say what is missing (qemu, SNMP agent) and change nothing', async () => {
        const create = await server.walt(['node', 'create', 'vn-absent']);
        expect(create.code).not.toBe(0);
        expect(create.stderr).toMatch(/^Error: cannot run virtual nodes: qemu-system-x86_64 is not installed on the server \(install the qemu-system-x86 package\)/);
        const rescan = await server.walt(['device', 'rescan'], { timeoutMs: 60_000 });
        expect(rescan.code).not.toBe(0);
        expect(rescan.stdout).toMatch(/walt-server\s+FAILED \(LLDP SNMP issue\)/);
        expect(rescan.stdout + rescan.stderr).not.toMatch(/unexpected failure/);
        const show = await server.walt(['device', 'show']);
        expect(show.code, show.stderr).toBe(0);
        expect(show.stdout).not.toContain('vn-absent');
        expect(server.process.exitCode, server.output()).toBeNull();
      });

      it('image commands (show, shell, build, squash) say there is no image engine and change nothing', async () => {
        const context = mkdtempSync(join(tmpdir(), 'walt-absent-build-'));
        writeFileSync(join(context, 'Dockerfile'), 'FROM scratch\n');
        try {
          for (const args of [
            ['image', 'show'],
            ['image', 'shell', 'pc-x86-64-default'],
            ['image', 'build', '--from-dir', context, 'absent-built'],
            ['image', 'squash', 'pc-x86-64-default'],
          ]) {
            const res = await server.walt(args, { timeoutMs: 60_000 });
            const said = `walt ${args.join(' ')}: ${res.code}\n${res.stdout}${res.stderr}`;
            expect(res.code, said).not.toBe(0);
            // One line: the engine missing and what to install; the build asks before sending its directory.
            expect(res.stderr.trim().split('\n'), said).toEqual([expect.stringMatching(new RegExp(`^Error: ${variant.imageError.source}`))]);
            expect(res.stdout, said).not.toContain('Sending the directory');
          }
          const builds = join(dataDir, 'image-builds');
          expect(existsSync(builds) ? readdirSync(builds) : [], 'no build context left on the server').toEqual([]);
        } finally {
          rmSync(context, { recursive: true, force: true });
        }
        expect(server.process.exitCode, server.output()).toBeNull();
      });

      it('an unexpected rejection or exception is logged with its origin; the server keeps serving and acknowledged leases stay', async () => {
        const client = net.addClient('02:ab:00:00:04:01');
        const first = udhcpc(client.ns, client.ifname, { vendorClass: 'walt.node.rpi-3-b-plus' });
        server.process.kill('SIGUSR2');
        const deadline = Date.now() + 10_000;
        let daemon: string[] = [];
        while (Date.now() < deadline) {
          daemon = platformLines(dataDir, 'platform.daemon').filter((l) => l.startsWith('unexpected'));
          if (daemon.length >= 2) break;
          await new Promise((r) => setTimeout(r, 100));
        }
        expect(daemon).toEqual([
          expect.stringMatching(/^unexpected rejection at .*on-sigusr2\.mjs:\d+.*: Error: rejection injected by the test; the server keeps serving/),
          expect.stringMatching(/^unexpected exception at .*on-sigusr2\.mjs:\d+.*: Error: exception injected by the test; the server keeps serving/),
        ]);
        expect(server.process.exitCode).toBeNull();
        const again = udhcpc(client.ns, client.ifname, { vendorClass: 'walt.node.rpi-3-b-plus' });
        expect(again.ip).toBe(first.ip);

        // And across a restart: the lease acknowledged before is the client's again.
        await server.stop();
        server = await startServer({ netns: net.serverNs, dataDir, config: config(net, dataDir, variant.images), env: { PATH: path } });
        const afterRestart = udhcpc(client.ns, client.ifname, { vendorClass: 'walt.node.rpi-3-b-plus' });
        expect(afterRestart.ip).toBe(first.ip);
      });
    });
  }
});
