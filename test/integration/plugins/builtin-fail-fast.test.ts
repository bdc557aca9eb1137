import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadServerConfig, PluginLoadError, WaltServer } from '@walt/core';
import { stageFixtures, type StagedFixtures } from '../../fixtures/plugins/stage-fixtures.js';
import { baseConfig, getJson } from './server-plugins.js';

/**
 * Built-in plugins fail fast (Fastify's stance for core parts): the server does not start. The CLI's
 * built-in list is fixed, so this runs WaltServer.start in-process with fixture packages as built-ins.
 */
describe('built-in plugins', () => {
  let fixtures: StagedFixtures;
  let dataDir: string;
  const config = () => {
    const file = join(dataDir, 'server.conf');
    writeFileSync(file, baseConfig('plugin-timeout: 1000\n'));
    return loadServerConfig({ configFile: file, dataDir });
  };

  beforeAll(() => {
    fixtures = stageFixtures(['walt-plugin-good', 'walt-plugin-throws', 'walt-plugin-hangs', 'walt-plugin-no-keyword']);
    dataDir = mkdtempSync(join(tmpdir(), 'walt-builtins-'));
  });
  afterAll(() => {
    fixtures?.cleanup();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it.each([
    ['walt-plugin-throws', 'register() threw: cannot find the frobnicator'],
    ['walt-plugin-hangs', 'did not finish loading within 1000 ms'],
    ['walt-plugin-no-keyword', "package.json keywords must include 'walt-plugin'"],
  ])('refuse to start when built-in %s fails, with one line naming it and the reason', async (fixture, reason) => {
    const attempt = WaltServer.start(config(), { builtins: [fixtures.dir('walt-plugin-good'), fixtures.dir(fixture)], echo: () => undefined });
    const error = await attempt.then(
      () => {
        throw new Error('the server started');
      },
      (e: Error) => e,
    );
    expect(error).toBeInstanceOf(PluginLoadError);
    expect(error.message.split('\n')).toHaveLength(1);
    expect(error.message).toContain(`built-in plugin ${fixture} failed to load: ${reason}`);
  });

  it('start with good built-ins, reported as origin builtin', async () => {
    const server = await WaltServer.start(config(), { builtins: [fixtures.dir('walt-plugin-good')], echo: () => undefined });
    try {
      const { plugins } = await getJson<{ plugins: Array<{ name: string; origin: string; status: string }> }>(server.port, '/api/v1/plugins');
      expect(plugins).toContainEqual(expect.objectContaining({ name: 'walt-plugin-good', origin: 'builtin', status: 'loaded' }));
    } finally {
      await server.stop();
    }
  });
});
