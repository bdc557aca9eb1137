import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNode, startServer, WALT_BIN } from '../../helpers/walt-processes.js';
import { startDevicesServer, type DevicesServer } from '../devices/devices-test-kit.js';
import { authHeaders, userToken } from '../../helpers/api-token.js';

/**
 * What the user sees (issue 10, item 6): every case here printed something misleading before.
 * Test nodes sit on loopback addresses of engineer D's range (127.77.4.x): one runs a node service
 * that accepts the soft reboot, the other has none, so its soft reboot is refused at once.
 */
const NODE_OK_IP = '127.77.4.1';
const NODE_KO_IP = '127.77.4.2';

/** The node's TCP service (port 12346) answering OK to REBOOT, as walt-net-service does. */
function nodeService(ip: string, requests: string[]): Promise<Server> {
  const server = createServer((sock) => {
    let got = '';
    sock.on('data', (d) => {
      got += d.toString();
      if (got.includes('REBOOT\n')) {
        requests.push(got);
        sock.end('OK\n');
      }
    });
    sock.on('error', () => {});
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(12346, ip, () => resolve(server));
  });
}

describe('acquire and boot say when a node could not be rebooted', () => {
  let s: DevicesServer;
  let service: Server;
  const requests: string[] = [];

  beforeAll(async () => {
    s = await startDevicesServer();
    s.writeImage('alice/exp:latest', ['rpi-3-b-plus']);
    for (const [mac, ip, name] of [
      ['b8:27:eb:04:00:01', NODE_OK_IP, 'rpi-ok'],
      ['b8:27:eb:04:00:02', NODE_KO_IP, 'rpi-ko'],
    ]) {
      const r = await s.register({ mac, ip, vendorClass: 'walt.node.rpi-3-b-plus' });
      await s.ok(['device', 'rename', r.device.name, name]);
    }
    service = await nodeService(NODE_OK_IP, requests);
  });
  afterAll(async () => {
    service?.close();
    await s?.stop();
  });

  it('acquire: the change is kept, the rebooted node is said OK, the other one why not and what to do; exit 0 as the original', async () => {
    const r = await s.walt(['node', 'acquire', 'rpi-ok,rpi-ko']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(
      'Cloned rpi-3-b-plus-default, a default image for rpi-3-b-plus.\n' +
        'Nodes rpi-ko and rpi-ok will now boot rpi-3-b-plus-default.\n' +
        'Node rpi-ok: rebooted OK.\n',
    );
    const errors = r.stderr.trim().split('\n');
    expect(errors[0]).toBe('rpi-ko: failed soft-reboot (Connection refused) and hard-reboot (unknown LLDP network position)');
    expect(errors[1]).toMatch(/^Note: the new image is recorded; these nodes will boot it at their next reboot\. .*poe\.reboots=true.*'walt help show node-reboot'\.$/);
    expect(errors).toHaveLength(2);
    expect(requests).toEqual(['MODE single\nREBOOT\n']);
    expect((await s.device('rpi-ko'))?.image).toBe('alice/rpi-3-b-plus-default:latest');
    expect((await s.device('rpi-ok'))?.image).toBe('alice/rpi-3-b-plus-default:latest');
  });

  it('boot: the same for an image change', async () => {
    const r = await s.walt(['node', 'boot', 'rpi-ko', 'exp']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('Node rpi-ko will now boot exp.\n');
    expect(r.stderr).toContain('rpi-ko: failed soft-reboot (Connection refused) and hard-reboot (unknown LLDP network position)\nNote: ');
    expect((await s.device('rpi-ko'))?.image).toBe('alice/exp:latest');
  });

  it('rename prints what changed, for a device and for a node', async () => {
    const sw = await s.register({ mac: '02:00:00:04:00:09', ip: '192.168.152.249' });
    expect(await s.ok(['device', 'rename', sw.device.name, 'lab-box'])).toBe(`Device ${sw.device.name} was renamed to lab-box.\n`);
    expect(await s.ok(['node', 'rename', 'rpi-ko', 'rpi-broken'])).toBe('Node rpi-ko was renamed to rpi-broken.\n');
    expect((await s.device('rpi-broken'))?.mac).toBe('b8:27:eb:04:00:02');
  });

  it('no error line carries two prefixes (Error: Failed: ...)', async () => {
    const cases: Array<[string[], string]> = [
      [['log', 'remove-checkpoint', 'nosuchcp'], "Error: no checkpoint with this name 'nosuchcp'."],
      [['device', 'port-config', 'rpi-ok'], 'Error: rpi-ok is not a switch.'],
      [['log', 'show', '--history', 'nosuchcp:', '--issuers', 'server'], "Error: no checkpoint with this name 'nosuchcp'."],
    ];
    for (const [args, expected] of cases) {
      const line = await s.fails(args);
      expect(line.startsWith(expected), `${args.join(' ')}: ${line}`).toBe(true);
    }
    expect(await s.ok(['log', 'add-checkpoint', 'cp1'])).toContain('cp1');
    expect(await s.fails(['log', 'add-checkpoint', 'cp1'])).toBe('Error: a checkpoint with this name already exists.');
  });
});

describe('walt log show --realtime when the server stops', () => {
  it('says that the connection to the server was lost, in one line, exit non-zero', async () => {
    const server = await startServer();
    const cli = spawn(process.execPath, [WALT_BIN, 'log', 'show', '--realtime', '--platform', '--format', '{line}'], {
      env: { ...process.env, WALT_SERVER: server.address, WALT_USER: 'alice', WALT_TOKEN: await userToken(server.address, 'alice'), WALT_CONFIG_FILE: join(server.dataDir, 'none') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    cli.stdout.on('data', (d) => (stdout += d));
    cli.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => cli.on('close', (code) => resolve(code)));
    try {
      // The stream is open once a new platform line reaches the command: register devices until one does.
      const deadline = Date.now() + 30_000;
      for (let i = 1; Date.now() < deadline && !stdout.includes('new device'); i++) {
        await fetch(`http://${server.address}/api/v1/devices/register`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(await authHeaders(server.address, 'alice')) },
          body: JSON.stringify({ mac: `02:00:00:04:01:${i.toString(16).padStart(2, '0')}`, ip: `192.168.152.${100 + i}` }),
        });
        await new Promise((r) => setTimeout(r, 300));
      }
      expect(stdout).toContain('new device');
      await server.stop();
      const code = await exited;
      expect(code).not.toBe(0);
      expect(stderr).toBe(`Error: the connection to the WalT server (${server.address}) was lost: it stopped or the network failed\n`);
    } finally {
      cli.kill('SIGKILL');
      await server.stop({ cleanup: true });
    }
  });
});

describe('a malformed server address is called invalid, not unreachable', () => {
  const walt = (env: NodeJS.ProcessEnv) => runNode(WALT_BIN, ['device', 'show'], { env: { WALT_USER: 'alice', ...env } });
  const FORMS = 'expected <host> or <host>:<port> (port 1-65535, default 12345), e.g. 192.168.152.1 or walt-server:12345';

  for (const bad of ['bad:port:x', '127.0.0.1:99999', '127.0.0.1:0', 'walt server', '300.1.2.3']) {
    it(`WALT_SERVER=${bad}`, async () => {
      const r = await walt({ WALT_SERVER: bad, WALT_CONFIG_FILE: '/nonexistent/walt-config' });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toBe(`Error: invalid WalT server address '${bad}' (WALT_SERVER): ${FORMS}\n`);
    });
  }

  it('walt.server in ~/.walt/config', async () => {
    const dir = (await import('node:fs')).mkdtempSync(join((await import('node:os')).tmpdir(), 'walt-d-config-'));
    const file = join(dir, 'config');
    writeFileSync(file, 'walt:\n    server: "walt-host:70000"\n    username: alice\n');
    const r = await walt({ WALT_SERVER: '', WALT_CONFIG_FILE: file });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toBe(`Error: invalid WalT server address 'walt-host:70000' (walt.server in ${file}): ${FORMS}\n`);
  });

  it('a well-formed address that does not answer is still called unreachable', async () => {
    const r = await walt({ WALT_SERVER: '127.0.0.1:1', WALT_CONFIG_FILE: '/nonexistent/walt-config' });
    expect(r.stderr).toContain('Network connection to WalT server failed!');
  });
});

describe("the server's start-up log says which image engine serves, or what to install", () => {
  const config = (socket: string) =>
    `network:\n  walt-net:\n    raw-device: null\n    ip: 192.168.152.1/24\napi:\n  port: 0\nimages:\n  engine-socket: ${socket}\n`;

  it('no engine: one ERROR line naming the socket and what to install', async () => {
    const server = await startServer({ config: config('/nonexistent/walt-d/podman.sock') });
    try {
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline && !server.output().includes('platform.images')) await new Promise((r) => setTimeout(r, 100));
      const lines = server.output().split('\n').filter((l) => l.includes('platform.images'));
      expect(lines).toEqual([
        "ERROR platform.images -> no image engine: nothing answers on /nonexistent/walt-d/podman.sock (install podman and run 'podman system service --time=0' as root, or set images.engine-socket in the server config to a Docker or Podman socket); until then walt image commands fail and nodes cannot get their default image",
      ]);
    } finally {
      await server.stop({ cleanup: true });
    }
  });

  const podman = process.env.WALT_TEST_PODMAN_SOCKET;
  it.skipIf(!podman || !existsSync(podman))('an engine: the engine and its socket', async () => {
    const server = await startServer({ config: config(podman!) });
    try {
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline && !server.output().includes('platform.images')) await new Promise((r) => setTimeout(r, 100));
      expect(server.output()).toContain(`platform.images -> images served by podman on ${podman}\n`);
    } finally {
      await server.stop({ cleanup: true });
    }
  });
});
