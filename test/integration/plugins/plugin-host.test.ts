import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stageFixtures, type StagedFixtures } from '../../fixtures/plugins/stage-fixtures.js';
import { startServer, type ServerHandle } from '../../helpers/walt-processes.js';
import { baseConfig, eventually, getJson, platformPluginLines, waltServer } from './server-plugins.js';

interface PluginResult {
  name: string;
  version: string | null;
  origin: string;
  status: 'loaded' | 'failed' | 'disabled';
  error?: string;
  failedAt?: string;
  contributes: { nodeModels: string[]; bootProtocols: string[]; switchDrivers: string[]; helpTopics: string[] };
  warnings: string[];
}

/** Each refused fixture, and what its refusal must say. */
const REFUSED: Array<[fixture: string, reason: RegExp]> = [
  ['walt-plugin-wrong-api-manifest', /^written for plugin API version 2, this server speaks version 1$/],
  ['walt-plugin-wrong-api-define', /^definePlugin declares plugin API version 2, this server speaks version 1$/],
  ['walt-plugin-throws', /^register\(\) threw: cannot find the frobnicator$/],
  ['walt-plugin-hangs', /^did not finish loading within 2000 ms .*plugin-timeout/],
  ['walt-plugin-bundles-sdk', /^bundles @walt\/sdk in dependencies \(make it a peerDependency: the server provides it\)$/],
  ['walt-plugin-ships-sdk-copy', /^ships its own copy of @walt\/sdk in node_modules/],
  ['walt-plugin-duplicate-model', /^conflict: node model 'fixture-board' is already provided by walt-plugin-good$/],
  ['walt-bad-name', /^package name "walt-bad-name" is not a plugin name/],
  ['walt-plugin-no-keyword', /^package.json keywords must include 'walt-plugin'$/],
  ['walt-plugin-missing-entry', /^entry point \.\/dist\/index\.js is missing from the package/],
  ['walt-plugin-settings-check', /^invalid settings in plugins\[11\] of .*: unknown setting 'colour' .*; setting 'port' must be at most 65535\.$/],
];

describe('plugin host in a running server, with real plugin packages on disk', () => {
  let fixtures: StagedFixtures;
  let server: ServerHandle;
  let plugins: PluginResult[];

  beforeAll(async () => {
    fixtures = stageFixtures(['walt-plugin-good', ...REFUSED.map(([f]) => f), 'walt-plugin-ready-throws', 'walt-plugin-async-throws']);
    const entries = [
      `  - name: ${fixtures.dir('walt-plugin-good')}\n    settings: {greeting: bonjour}\n    in-process: true`,
      ...REFUSED.map(([f]) =>
        f === 'walt-plugin-settings-check' ? `  - name: ${fixtures.dir(f)}\n    settings: {port: 70000, colour: red}` : `  - ${fixtures.dir(f)}`,
      ),
      `  - ${fixtures.dir('walt-plugin-ready-throws')}`,
      `  - ${fixtures.dir('walt-plugin-async-throws')}`,
    ];
    // Seven of these plugins start a Node.js process each (one more second each on a busy machine).
    server = await startServer({ config: baseConfig(`plugin-timeout: 2000\nplugins:\n${entries.join('\n')}\n`), timeoutMs: 120_000 });
    plugins = (await getJson<{ plugins: PluginResult[] }>(server.port, '/api/v1/plugins')).plugins;
  }, 150_000);

  afterAll(async () => {
    await server?.stop({ cleanup: true });
    fixtures?.cleanup();
  });

  const result = (name: string) => {
    const r = plugins.find((p) => p.name === name);
    if (!r) throw new Error(`${name} is not in GET /api/v1/plugins: ${plugins.map((p) => p.name).join(', ')}`);
    return r;
  };

  it('loads the good plugin: its contributions are in GET /api/v1/plugins and its help topic is served', async () => {
    expect(result('walt-plugin-good')).toMatchObject({
      version: '1.0.0',
      origin: 'config',
      status: 'loaded',
      contributes: { nodeModels: ['fixture-board'], bootProtocols: ['fixture-boot'], switchDrivers: [], helpTopics: ['fixture-board-install'] },
      warnings: [],
    });
    const topic = await getJson<{ name: string; markdown: string }>(server.port, '/api/v1/help-topics/fixture-board-install');
    expect(topic.markdown).toContain('Plug it in.');
  });

  it('passes the validated settings, defaults filled in, to the plugin', () => {
    expect(platformPluginLines(server.dataDir)).toContain('walt-plugin-good: bonjour from the good fixture (boot-delay=5)');
  });

  it.each(REFUSED)('refuses %s, naming it and the reason', (fixture, reason) => {
    const r = result(fixture);
    expect(r.status).toBe('failed');
    expect(r.error).toMatch(reason);
    expect(r.contributes).toEqual({ nodeModels: [], bootProtocols: [], switchDrivers: [], helpTopics: [], virtualNodeProviders: [] });
  });

  it('writes the startup report to the platform log, stream platform.plugins, one line per plugin', () => {
    const lines = platformPluginLines(server.dataDir);
    expect(lines).toContainEqual(
      expect.stringMatching(/^plugin walt-plugin-good@1\.0\.0 loaded \(config, \d+ ms\): nodeModels=fixture-board bootProtocols=fixture-boot helpTopics=fixture-board-install$/),
    );
    for (const [fixture] of REFUSED) {
      expect(lines.some((l) => l.startsWith(`plugin ${fixture}@1.0.0 FAILED (config): `))).toBe(true);
    }
    // Built-in plugins load too; the summary counts them.
    const loadedAtStart = plugins.filter((p) => p.status === 'loaded' || p.failedAt !== 'load').length;
    expect(lines).toContain(`plugins: ${loadedAtStart} loaded, ${REFUSED.length} failed`);
    expect(server.output()).toContain('ERROR platform.plugins -> plugin walt-plugin-throws@1.0.0 FAILED (config): register() threw: cannot find the frobnicator');
  });

  it('isolates a plugin whose onReady throws: reported, withdrawn, the server serves on', async () => {
    expect(result('walt-plugin-ready-throws')).toMatchObject({ status: 'failed', failedAt: 'ready', error: 'lost contact with the flaky board controller' });
    expect(platformPluginLines(server.dataDir)).toContain('plugin walt-plugin-ready-throws@1.0.0 FAILED in onReady (config): lost contact with the flaky board controller');
  });

  it('isolates a plugin whose timer throws at run time, instead of crashing', async () => {
    const line = 'plugin walt-plugin-async-throws@1.0.0 FAILED at run time (config): background poller crashed';
    await eventually(() => platformPluginLines(server.dataDir).includes(line), 'the run-time failure report');
    const now = (await getJson<{ plugins: PluginResult[] }>(server.port, '/api/v1/plugins')).plugins;
    expect(now.find((p) => p.name === 'walt-plugin-async-throws')).toMatchObject({ status: 'failed', failedAt: 'runtime' });
    expect(server.process.exitCode).toBeNull();
  });

  it('kills a timed-out plugin: the contribution its timer would make later never comes, and the server serves on', async () => {
    // The fixture's timer fires 3 s after its load began; its process was killed at 2 s.
    await new Promise((r) => setTimeout(r, 4000));
    expect(platformPluginLines(server.dataDir).filter((l) => l.includes('walt-plugin-hangs:'))).toEqual([]);
    const topics = await getJson<{ topics: Array<{ name: string }> }>(server.port, '/api/v1/help-topics');
    expect(topics.topics.map((t) => t.name)).not.toContain('too-late');
    expect(server.process.exitCode).toBeNull();
  });

  it('still starts and serves the rest of the API', async () => {
    const r = await server.walt(['device', 'show', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toContainEqual(expect.objectContaining({ name: 'walt-server', type: 'server' }));
  });

  it('shows the live state in walt-server plugins list, with no request to the server', async () => {
    const r = await waltServer(['plugins', 'list', '--json'], server);
    expect(r.code, r.stderr).toBe(0);
    const list = JSON.parse(r.stdout) as Array<{ name: string; check: string; state: string | null; lastStart: { error?: string } | null }>;
    expect(list.find((p) => p.name === 'walt-plugin-good')).toMatchObject({ check: 'ok', state: 'loaded' });
    expect(list.find((p) => p.name === 'walt-plugin-throws')).toMatchObject({ check: 'ok', state: 'failed', lastStart: { error: 'register() threw: cannot find the frobnicator' } });
    expect(list.find((p) => p.name === 'walt-plugin-no-keyword')).toMatchObject({ check: 'invalid', state: 'failed' });

    const table = await waltServer(['plugins', 'list'], server);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^NAME\s+VERSION\s+ORIGIN\s+STATE\s+DETAILS$/m);
    expect(table.stdout).toMatch(/^walt-plugin-good\s+1\.0\.0\s+config\s+loaded\s+nodeModels=fixture-board bootProtocols=fixture-boot helpTopics=fixture-board-install$/m);
    expect(table.stdout).toMatch(/^walt-plugin-throws\s+1\.0\.0\s+config\s+failed\s+register\(\) threw: cannot find the frobnicator$/m);
    expect(table.stdout).toContain(`STATE as reported by the running server (pid ${server.process.pid}`);
  });
});
