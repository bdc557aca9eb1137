import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stageFixtures, type StagedFixtures } from '../../fixtures/plugins/stage-fixtures.js';
import { udhcpc } from '../../helpers/dhcp-client.js';
import { createTestNetwork, inNetns, type TestNetwork } from '../../helpers/netns.js';
import { skipUnless } from '../../helpers/prerequisites.js';
import { startServer, type ServerHandle } from '../../helpers/walt-processes.js';
import { baseConfig, eventually, platformPluginLines, waltServer } from './server-plugins.js';

interface PluginResult {
  name: string;
  status: 'loaded' | 'failed' | 'disabled';
  failedAt?: string;
  error?: string;
}

const HOSTILE = ['walt-plugin-loops', 'walt-plugin-exits-at-load', 'walt-plugin-exits-later', 'walt-plugin-hook-hangs', 'walt-plugin-hook-throws', 'walt-plugin-async-throws'];

/**
 * Issue 14 item 6: third-party plugins run each in its own process, so one that loops in register(),
 * exits at load or later, or throws from a timer cannot hang or kill the server: it starts, serves
 * DHCP and the API, and says once per plugin what happened. `plugins add` of a looping plugin returns.
 */
describe.skipIf(skipUnless({ root: true, commands: ['ip', 'busybox', 'curl'] }))('hostile third-party plugins', () => {
  let fixtures: StagedFixtures;
  let net: TestNetwork;
  let server: ServerHandle;
  let plugins: PluginResult[];
  /** GET from the API, which listens in the server's namespace. */
  const getJson = async <T>(path: string): Promise<T> =>
    JSON.parse(inNetns(net.serverNs, 'curl', ['-sf', '-H', `authorization: Bearer ${await server.token('alice')}`, `http://${server.address}${path}`])) as T;

  beforeAll(async () => {
    fixtures = stageFixtures(HOSTILE);
    net = createTestNetwork({ tag: 'hostil', subnet: '192.168.187' });
    const entries = HOSTILE.map((f) => `  - ${fixtures.dir(f)}`).join('\n');
    const config =
      `network:\n  walt-net:\n    raw-device: ${net.serverIf}\n    ip: ${net.serverIp}/${net.prefix}\napi:\n  port: 0\n` +
      `plugin-timeout: 3000\nplugin-call-timeout: 1000\nplugins:\n${entries}\n`;
    server = await startServer({ netns: net.serverNs, config, timeoutMs: 120_000 });
    plugins = (await getJson<{ plugins: PluginResult[] }>('/api/v1/plugins')).plugins;
  }, 150_000);

  afterAll(async () => {
    await server?.stop({ cleanup: true });
    net?.destroy();
    fixtures?.cleanup();
  });

  const result = (name: string) => plugins.find((p) => p.name === name);

  it('starts past a register() that never yields and a process.exit at load, refusing both', () => {
    expect(result('walt-plugin-loops')).toMatchObject({ status: 'failed', failedAt: 'load' });
    expect(result('walt-plugin-loops')?.error).toMatch(/^did not finish loading within 3000 ms .*its process was killed/);
    expect(result('walt-plugin-exits-at-load')).toMatchObject({ status: 'failed', error: 'its process exited with code 3 while loading' });
    expect(result('walt-plugin-hook-hangs')).toMatchObject({ status: 'loaded' });
    expect(result('walt-plugin-hook-throws')).toMatchObject({ status: 'loaded' });
  });

  it('withdraws a plugin that exits from a timer, or throws from one, with one ERROR line each, and serves on', async () => {
    const exited = 'plugin walt-plugin-exits-later@1.0.0 FAILED at run time (config): its process exited with code 4';
    const threw = 'plugin walt-plugin-async-throws@1.0.0 FAILED at run time (config): background poller crashed';
    await eventually(() => platformPluginLines(server.dataDir).includes(exited) && platformPluginLines(server.dataDir).includes(threw), 'the run-time failures', 20_000);
    const now = (await getJson<{ plugins: PluginResult[] }>('/api/v1/plugins')).plugins;
    expect(now.find((p) => p.name === 'walt-plugin-exits-later')).toMatchObject({ status: 'failed', failedAt: 'runtime' });
    const topics = await getJson<{ topics: Array<{ name: string }> }>('/api/v1/help-topics');
    expect(topics.topics.map((t) => t.name)).not.toContain('exits-later-topic');
    // The daemon's echo of those lines reaches its stdout a little after they are stored.
    const echoed = (line: string) => server.output().split('\n').filter((l) => l.includes(line));
    await eventually(() => echoed(exited).length > 0 && echoed(threw).length > 0, 'the ERROR lines on the daemon output');
    for (const line of [exited, threw]) expect(echoed(line)).toEqual([`ERROR platform.plugins -> ${line}`]);
    expect(server.process.exitCode).toBeNull();
  });

  it('logs one startup line per plugin', () => {
    const lines = platformPluginLines(server.dataDir);
    for (const name of HOSTILE) expect(lines.filter((l) => l.startsWith(`plugin ${name}@1.0.0 `) && !l.includes('at run time')), name).toHaveLength(1);
  });

  it('serves DHCP and the API', async () => {
    const client = net.addClient('02:00:00:18:70:01');
    const lease = udhcpc(client.ns, client.ifname, {});
    expect(lease.ip).toMatch(/^192\.168\.187\./);
    const r = await server.walt(['device', 'show', '--json']);
    expect(r.code, r.stderr).toBe(0);
  });
});

describe('walt-server plugins add of a hostile plugin', () => {
  let fixtures: StagedFixtures;
  let dataDir: string;

  beforeAll(() => {
    fixtures = stageFixtures(['walt-plugin-loops', 'walt-plugin-exits-at-load']);
    dataDir = mkdtempSync(join(tmpdir(), 'walt-hostile-add-'));
    writeFileSync(join(dataDir, 'server.conf'), baseConfig('plugin-timeout: 3000\n'));
  });
  afterAll(() => {
    fixtures?.cleanup();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it.each([
    ['walt-plugin-loops', /^Error: refused walt-plugin-loops: did not finish loading within 3000 ms .*its process was killed/],
    ['walt-plugin-exits-at-load', /^Error: refused walt-plugin-exits-at-load: its process exited with code 3 while loading$/],
  ])('refuses %s with a one-line error, and returns', async (fixture, message) => {
    const r = await waltServer(['plugins', 'add', fixtures.dir(fixture)], { configFile: join(dataDir, 'server.conf'), dataDir }, 120_000);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim()).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
