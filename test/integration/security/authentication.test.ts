import { mkdtempSync, rmSync, statSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectoryImageStore } from '../../../packages/core/src/images/directory-image-store.js';
import { udhcpc } from '../../helpers/dhcp-client.js';
import { createTestNetwork, inNetns, ip, type TestNetwork } from '../../helpers/netns.js';
import { skipUnless } from '../../helpers/prerequisites.js';
import { runNode, startServer, WALT_BIN, WALT_SERVER_BIN, type ServerHandle } from '../../helpers/walt-processes.js';

const NODE_MAC = 'b8:27:eb:00:88:01';
const PROBE_MAC = '52:54:00:aa:88:02';

/** curl from a namespace: the HTTP status and the body (`-k`: the probe does not care whose certificate it is). */
function curl(ns: string, method: string, url: string, options: { body?: unknown; headers?: Record<string, string> } = {}): { status: number; body: any } {
  const args = ['-sk', '-m', '10', '-X', method, '-w', '\n%{http_code}', url];
  for (const [k, v] of Object.entries(options.headers ?? {})) args.push('-H', `${k}: ${v}`);
  if (options.body !== undefined) args.push('-H', 'content-type: application/json', '--data-binary', JSON.stringify(options.body));
  let out: string;
  try {
    out = inNetns(ns, 'curl', args);
  } catch (e) {
    // curl exits non-zero when it cannot connect: status 0
    out = `\n000`;
  }
  const nl = out.lastIndexOf('\n');
  const text = out.slice(0, nl);
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: Number(out.slice(nl + 1)), body };
}

/**
 * Issue 14 item 3, the attacks of the probe, each against a real server in a namespace with a real
 * walt-net: a machine on walt-net without credentials, a node, and a dishonest user.
 */
describe.skipIf(skipUnless({ root: true, commands: ['ip', 'curl', 'busybox'] }))('authentication and authorization (issue 14 item 3)', () => {
  let images: string;
  beforeAll(() => {
    images = mkdtempSync(join(tmpdir(), 'walt-m-auth-images-'));
    DirectoryImageStore.writeImage(images, 'waltplatform/rpi-3-b-plus-default:latest', { 'boot/rpi-3-b-plus/start.uboot': 'uboot script' }, { models: ['rpi-3-b-plus'] });
    for (const name of ['alice/work:latest', 'alice/keep:latest', 'alice/rpi-3-b-plus-default:latest']) {
      DirectoryImageStore.writeImage(images, name, { 'boot/rpi-3-b-plus/start.uboot': 'x' }, { models: ['rpi-3-b-plus'] });
    }
  });
  afterAll(() => rmSync(images, { recursive: true, force: true }));

  describe('by default, the user API is not on walt-net', () => {
    let net: TestNetwork;
    let server: ServerHandle;
    let probe: { ns: string; ifname: string };

    beforeAll(async () => {
      net = createTestNetwork({ tag: 'authd', subnet: '192.168.237' });
      probe = net.addClient(PROBE_MAC);
      ip('-n', probe.ns, 'addr', 'add', `192.168.237.60/${net.prefix}`, 'dev', probe.ifname);
      const config = `network:\n  walt-net:\n    raw-device: ${net.serverIf}\n    ip: ${net.serverIp}/${net.prefix}\nimages:\n  directory: ${images}\napi:\n  port: 0\n`;
      server = await startServer({ netns: net.serverNs, config });
    });
    afterAll(async () => {
      await server?.stop({ cleanup: true });
      net?.destroy();
    });

    it('a machine on walt-net cannot connect to the API port, in HTTP or HTTPS; the node channel is there', async () => {
      for (const scheme of ['http', 'https']) expect(curl(probe.ns, 'GET', `${scheme}://${net.serverIp}:${server.port}/api/v1/version`).status).toBe(0);
      const sockets = inNetns(net.serverNs, 'ss', ['-Hltn']);
      expect(sockets).toContain(`127.0.0.1:${server.port}`);
      expect(sockets).not.toContain(`${net.serverIp}:${server.port}`);
      const tcpPort = Number((await server.waitForOutput(/TCP side channel on port (\d+)/))[1]);
      expect(sockets).toContain(`${net.serverIp}:${tcpPort}`);
    });

    it('loopback answers: walt claims a token on first use and keeps it in its config file, mode 0600', async () => {
      const r = await server.walt(['device', 'show', '--json']);
      expect(r.code, r.stderr).toBe(0);
      const file = join(server.dataDir, 'client-config-unused');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(readFileSync(file, 'utf8')).toMatch(/^tokens:\n {4}alice-at-[0-9a-f]{32}: alice:[A-Za-z0-9_-]{43}$/m);
    });
  });

  describe('walt-net listed by the admin: every request authenticated, nodes refused, ownership checked', () => {
    let net: TestNetwork;
    let server: ServerHandle;
    let probe: { ns: string; ifname: string };
    let node: { ns: string; ifname: string; ip: string };
    let base: string;
    const tokens: Record<string, string> = {};
    const claim = (name: string) => curl(probe.ns, 'POST', `${base}/api/v1/users/claim`, { body: { name } });
    const as = (user: string) => ({ authorization: `Bearer ${tokens[user]}` });
    const admin = (args: string[]) => runNode(WALT_SERVER_BIN, ['users', ...args, '--config', server.configFile, '--data-dir', server.dataDir]);
    const platformLog = async () => (await server.walt(['log', 'show', '--platform', '--history', '-1h:', '--format', '{line}'], { user: 'carol' })).stdout;
    /** walt in the server's namespace as a user whose token the probe claimed. */
    const waltAs = (user: string, args: string[]) => server.walt(args, { user, env: { WALT_TOKEN: tokens[user] } });

    beforeAll(async () => {
      net = createTestNetwork({ tag: 'autha', subnet: '192.168.238' });
      probe = net.addClient(PROBE_MAC);
      ip('-n', probe.ns, 'addr', 'add', `192.168.238.60/${net.prefix}`, 'dev', probe.ifname);
      const config = `network:\n  walt-net:\n    raw-device: ${net.serverIf}\n    ip: ${net.serverIp}/${net.prefix}\nimages:\n  directory: ${images}\napi:\n  port: 0\n  listen: [walt-net]\n`;
      server = await startServer({ netns: net.serverNs, config });
      base = `https://${net.serverIp}:${server.port}`;
      // A real node on walt-net: its DHCP lease registers it.
      const client = net.addClient(NODE_MAC);
      const lease = udhcpc(client.ns, client.ifname, { vendorClass: 'walt.node.rpi-3-b-plus' });
      ip('-n', client.ns, 'addr', 'add', `${lease.ip}/${net.prefix}`, 'dev', client.ifname);
      node = { ...client, ip: lease.ip };
      for (const user of ['alice', 'bob']) {
        const r = claim(user);
        expect(r.status, JSON.stringify(r.body)).toBe(200);
        tokens[user] = r.body.token;
      }
    });
    afterAll(async () => {
      await server?.stop({ cleanup: true });
      net?.destroy();
    });

    it('walt-net speaks HTTPS only there; version is open', () => {
      expect(curl(probe.ns, 'GET', `http://${net.serverIp}:${server.port}/api/v1/version`).status).not.toBe(200);
      expect(curl(probe.ns, 'GET', `${base}/api/v1/version`).body).toMatchObject({ api: 1, id: expect.stringMatching(/^[0-9a-f]{64}$/) });
    });

    it('without credentials, from walt-net: rename, forget, netsetup, register, release, checkpoint are refused (401) and change nothing', async () => {
      const before = (await waltAs('alice', ['device', 'show', '--json'])).stdout;
      const nodeName = (JSON.parse(before) as Array<{ mac: string; name: string }>).find((d) => d.mac === NODE_MAC)!.name;
      const attacks: Array<[string, string, unknown]> = [
        ['POST', `/api/v1/devices/${nodeName}/rename`, { newName: 'pwned' }],
        ['POST', `/api/v1/devices/${nodeName}/forget`, { force: true }],
        ['POST', '/api/v1/device-config', { set: nodeName, settings: { netsetup: 'NAT' }, confirmed: true }],
        ['POST', '/api/v1/devices/register', { mac: '02:00:00:66:66:66', ip: node.ip, vendorClass: 'walt.node.rpi-3-b-plus' }],
        ['POST', '/api/v1/nodes/release', { set: nodeName }],
        ['POST', '/api/v1/logs/checkpoints', { name: 'cp1' }],
      ];
      for (const headers of [{}, { 'x-walt-user': 'alice' }, { authorization: 'Bearer alice:forged' }]) {
        for (const [method, path, body] of attacks) {
          const r = curl(probe.ns, method, base + path, { body, headers });
          expect(r.status, `${method} ${path} ${JSON.stringify(headers)}`).toBe(401);
          expect(r.body.error.message.split('\n')).toHaveLength(1);
        }
      }
      expect((await waltAs('alice', ['device', 'show', '--json'])).stdout).toBe(before);
      expect((await waltAs('alice', ['log', 'list-checkpoints'])).stdout).not.toContain('cp1');
    });

    it('register answers only the server itself, even with a token', () => {
      const r = curl(probe.ns, 'POST', `${base}/api/v1/devices/register`, { body: { mac: '02:00:00:66:66:67' }, headers: as('alice') });
      expect(r.status).toBe(403);
    });

    it("a node's address is refused even with a valid token: nodes do not use the user API", () => {
      const r = curl(node.ns, 'GET', `${base}/api/v1/devices`, { headers: as('alice') });
      expect(r.status).toBe(403);
      expect(r.body.error.message).toContain("is a node's address");
      expect(curl(probe.ns, 'GET', `${base}/api/v1/devices`, { headers: as('alice') }).status).toBe(200);
    });

    it("bob cannot rename or remove alice's images by sending her name: he acts in his own working set", async () => {
      for (const [path, body] of [
        ['/api/v1/images/work/rename', { newName: 'stolen' }],
        ['/api/v1/images/keep/remove', {}],
      ] as const) {
        const r = curl(probe.ns, 'POST', base + path, { body, headers: { ...as('bob'), 'x-walt-user': 'alice' } });
        expect(r.status, JSON.stringify(r.body)).not.toBe(200);
      }
      const mine = (await waltAs('alice', ['image', 'show', '--names-only'])).stdout.trim().split('\n');
      expect(mine).toEqual(expect.arrayContaining(['work', 'keep']));
    });

    it("rebooting another user's node needs the confirmation, and is logged with both names", async () => {
      const nodeName = (JSON.parse((await waltAs('alice', ['device', 'show', '--json'])).stdout) as Array<{ mac: string; name: string }>).find((d) => d.mac === NODE_MAC)!.name;
      // alice's node: it boots her image.
      const boot = await waltAs('alice', ['node', 'boot', nodeName, 'rpi-3-b-plus-default', '--yes']);
      expect(boot.code, boot.stderr).toBe(0);
      const refused = curl(probe.ns, 'POST', `${base}/api/v1/nodes/reboot`, { body: { set: nodeName, hard: true }, headers: as('bob') });
      expect(refused.status).toBe(409);
      expect(refused.body.error.code).toBe('needs-confirmation');
      const cli = await waltAs('bob', ['node', 'reboot', '--hard', nodeName]);
      expect(cli.code).not.toBe(0);
      expect(cli.stderr).toContain('use --yes');
      const confirmed = curl(probe.ns, 'POST', `${base}/api/v1/nodes/reboot`, { body: { set: nodeName, hard: true, confirmed: true }, headers: as('bob') });
      expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
      expect(await platformLog()).toContain(`user bob confirmed node reboot on other users' nodes: ${nodeName} (of alice)`);
    });

    it("trust on first use: a claimed name needs its token; the admin lists, resets, and can close claims", async () => {
      const second = claim('alice');
      expect(second.status).toBe(409);
      expect(second.body.error.message).toContain("user name 'alice' is already claimed");
      expect((await admin(['list'])).stdout).toMatch(/^alice\s+claimed/m);
      expect((await admin(['reset', 'alice'])).code).toBe(0);
      expect(curl(probe.ns, 'GET', `${base}/api/v1/users/me`, { headers: as('alice') }).status).toBe(401);
      const again = claim('alice');
      expect(again.status).toBe(200);
      tokens.alice = again.body.token;
      expect(curl(probe.ns, 'GET', `${base}/api/v1/users/me`, { headers: as('alice') }).body).toEqual({ user: 'alice' });

      expect((await admin(['mode', 'admin'])).stdout).toContain('Token mode: admin');
      const closed = claim('dave');
      expect(closed.status).toBe(403);
      expect(closed.body.error.message).toContain('walt-server users issue dave');
      const issued = await admin(['issue', 'dave']);
      const daveToken = issued.stdout.trim();
      expect(daveToken).toMatch(/^dave:/);
      expect(curl(probe.ns, 'GET', `${base}/api/v1/users/me`, { headers: { authorization: `Bearer ${daveToken}` } }).body).toEqual({ user: 'dave' });
      // the walt client takes an issued token from WALT_TOKEN
      const walt = await server.walt(['device', 'show'], { user: 'dave', env: { WALT_TOKEN: daveToken } });
      expect(walt.code, walt.stderr).toBe(0);
      expect((await admin(['mode', 'claim'])).code).toBe(0);
    });

    it('the client pins the certificate on first use, and refuses a changed one with a clear message', async () => {
      const configFile = join(server.dataDir, 'probe-client-config');
      const env = [`WALT_SERVER=${net.serverIp}:${server.port}`, 'WALT_USER=erin', `WALT_CONFIG_FILE=${configFile}`];
      const walt = () => {
        try {
          return { code: 0, out: inNetns(probe.ns, 'sh', ['-c', `env ${env.join(' ')} ${process.execPath} ${WALT_BIN} device show 2>&1`]) };
        } catch (e) {
          return { code: 1, out: String((e as { stdout?: unknown }).stdout ?? '') + String((e as { stderr?: unknown }).stderr ?? '') };
        }
      };
      const first = walt();
      expect(first.code, first.out).toBe(0);
      const fingerprint = (await admin(['certificate'])).stdout.trim();
      expect(first.out).toContain(`first connection to ${net.serverIp}:${server.port}: its certificate sha256:${fingerprint} is now trusted`);
      expect(readFileSync(configFile, 'utf8')).toContain(`sha256:${fingerprint}`);
      expect(walt().out).not.toContain('first connection');

      // Another certificate at the same address (the server's key replaced): refused, nothing sent.
      const port = server.port;
      await server.stop();
      rmSync(join(server.dataDir, 'tls'), { recursive: true, force: true });
      server = await startServer({ netns: net.serverNs, config: readFileSync(server.configFile, 'utf8').replace('port: 0', `port: ${port}`), dataDir: server.dataDir });
      expect(server.port).toBe(port);
      const refused = walt();
      expect(refused.code).not.toBe(0);
      expect(refused.out).toMatch(/certificate of 192\.168\.238\.1:\d+ changed .*refusing to connect.*remove certificates: server_192_168_238_1_\d+ from /);
    });
  });
});
