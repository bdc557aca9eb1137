import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stageFixtures, type StagedFixtures } from '../../../../test/fixtures/plugins/stage-fixtures.js';
import { PluginHost, PluginLoadError } from './plugin-host.js';
import type { PluginSource } from './plugin-sources.js';

const noSnmp = { open: () => { throw new Error('no SNMP in this test'); } };

/** In-process checks of what the host keeps in its registry; the server-level checks are in test/integration/plugins. */
describe('PluginHost with real fixture packages', () => {
  let fixtures: StagedFixtures;
  let dataDir: string;
  const logs: string[] = [];
  const reports: string[] = [];
  const newHost = (timeoutMs = 1000) =>
    new PluginHost({
      timeoutMs,
      dataDir,
      snmp: noSnmp,
      log: (plugin, level, m) => logs.push(`${level} ${plugin}: ${m}`),
      report: (line) => reports.push(line),
    });
  const source = (name: string, patch: Partial<PluginSource> = {}): PluginSource => ({
    spec: fixtures.dir(name),
    origin: 'config',
    resolveFrom: [],
    declaredIn: `plugins[0] of test`,
    ...patch,
  });

  beforeAll(() => {
    fixtures = stageFixtures([
      'walt-plugin-good',
      'walt-plugin-duplicate-model',
      'walt-plugin-throws',
      'walt-plugin-hangs',
      'walt-plugin-ready-throws',
      'walt-plugin-async-throws',
    ]);
    dataDir = mkdtempSync(join(tmpdir(), 'walt-host-'));
  });
  afterAll(() => {
    fixtures?.cleanup();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('registers a good plugin with its settings, and refuses a duplicate model without keeping any of its contributions', async () => {
    const host = newHost();
    const results = await host.loadAll([
      source('walt-plugin-good', { settings: { greeting: 'salut' } }),
      source('walt-plugin-duplicate-model'),
    ]);
    expect(results[0]).toMatchObject({ name: 'walt-plugin-good', status: 'loaded', contributes: { nodeModels: ['fixture-board'] } });
    expect(results[1]).toMatchObject({ name: 'walt-plugin-duplicate-model', status: 'failed' });
    expect(results[1].error).toBe("conflict: node model 'fixture-board' is already provided by walt-plugin-good");
    expect(host.registry.nodeModels().map((c) => `${c.plugin}:${c.value.id}`)).toEqual(['walt-plugin-good:fixture-board']);
    expect(host.registry.nodeModel('other-board')).toBeUndefined();
    expect(host.registry.ownerOf('bootProtocols', 'fixture-boot')).toBe('walt-plugin-good');
    expect(logs).toContain('info walt-plugin-good: salut from the good fixture (boot-delay=5)');
    expect(reports.at(-1)).toBe('plugins: 1 loaded, 1 failed');
  });

  it('fails fast on a built-in, with the plugin and the reason in one line', async () => {
    const host = newHost();
    const attempt = host.loadAll([source('walt-plugin-throws', { origin: 'builtin' }), source('walt-plugin-good')]);
    await expect(attempt).rejects.toThrow(PluginLoadError);
    await expect(attempt).rejects.toThrow('built-in plugin walt-plugin-throws failed to load: register() threw: cannot find the frobnicator');
    expect(host.results.map((r) => r.name)).toEqual(['walt-plugin-throws']);
  });

  it('goes on after a third-party failure when failFast is off or the plugin is not built-in', async () => {
    const host = newHost();
    const results = await host.loadAll([source('walt-plugin-throws'), source('walt-plugin-good')]);
    expect(results.map((r) => r.status)).toEqual(['failed', 'loaded']);
  });

  it('gives up on a register() that never resolves, and ignores its late contributions', async () => {
    const host = newHost(300);
    const [result] = await host.loadAll([source('walt-plugin-hangs')]);
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/^did not finish loading within 300 ms .*plugin-timeout/);
    expect(host.registry.helpTopics()).toEqual([]);
  });

  it('withdraws a plugin whose onReady throws', async () => {
    const host = newHost();
    await host.loadAll([source('walt-plugin-good'), source('walt-plugin-ready-throws')]);
    expect(host.registry.nodeModel('flaky-board')).toBeDefined();
    await host.ready();
    const flaky = host.results.find((r) => r.name === 'walt-plugin-ready-throws')!;
    expect(flaky).toMatchObject({ status: 'failed', failedAt: 'ready', error: 'lost contact with the flaky board controller' });
    expect(host.registry.nodeModel('flaky-board')).toBeUndefined();
    expect(host.registry.nodeModel('fixture-board')).toBeDefined();
    expect(reports).toContain('plugin walt-plugin-ready-throws@1.0.0 FAILED in onReady (config): lost contact with the flaky board controller');
  });

  it('attributes an uncaught error to the plugin whose code raised it (from its stack), and withdraws that plugin', async () => {
    const host = newHost();
    await host.loadAll([source('walt-plugin-good'), source('walt-plugin-async-throws')]);
    // ready() is not run here: the real timer would reach the test runner. The server-level test lets it fire.
    const error = new Error('background poller crashed');
    error.stack = `Error: background poller crashed\n    at Timeout.pollBoards (file://${realpathSync(fixtures.dir('walt-plugin-async-throws'))}/index.js:12:15)`;
    expect(host.handleUncaught(error)).toBe(true);
    expect(host.results.find((r) => r.name === 'walt-plugin-async-throws')).toMatchObject({ status: 'failed', failedAt: 'runtime', error: 'background poller crashed' });
    expect(host.registry.nodeModel('polled-board')).toBeUndefined();
    expect(host.registry.nodeModel('fixture-board')).toBeDefined();
    expect(host.handleUncaught(new Error('a bug of the server itself'))).toBe(false);
  });
});
