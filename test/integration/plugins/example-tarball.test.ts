import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, startServer, type ServerHandle } from '../../helpers/walt-processes.js';
import { baseConfig, getJson, OFFLINE_NPM, waltServer } from './server-plugins.js';

const EXAMPLE = join(REPO, 'examples', 'walt-plugin-beaglebone-black');

interface PluginResult {
  name: string;
  origin: string;
  status: string;
  contributes: { nodeModels: string[]; helpTopics: string[] };
  warnings: string[];
}

/** The test: npm pack a plugin under examples/, `walt-server plugins add` the tarball, restart: it loads. */
describe('a third-party plugin from examples/, packed, added, loaded at restart', () => {
  let packDir: string;
  let tarball: string;
  let server: ServerHandle | undefined;

  beforeAll(() => {
    packDir = mkdtempSync(join(tmpdir(), 'walt-example-pack-'));
    const pack = spawnSync('npm', ['pack', '--pack-destination', packDir], {
      cwd: EXAMPLE,
      env: { ...process.env, ...OFFLINE_NPM },
      encoding: 'utf8',
      timeout: 120_000,
    });
    if (pack.status !== 0) throw new Error(`npm pack failed: ${pack.stderr}`);
    const files = readdirSync(packDir);
    expect(files).toEqual(['walt-plugin-beaglebone-black-1.0.0.tgz']);
    tarball = join(packDir, files[0]);
  });

  afterAll(async () => {
    if (server) await server.stop({ cleanup: true });
    rmSync(packDir, { recursive: true, force: true });
  });

  it('adds the tarball to a running server data dir; after a restart its model and help topic are served', async () => {
    const config = baseConfig();
    server = await startServer({ config });
    const where = { configFile: server.configFile, dataDir: server.dataDir };
    const before = await getJson<{ plugins: PluginResult[] }>(server.port, '/api/v1/plugins');
    expect(before.plugins.map((p) => p.name)).not.toContain('walt-plugin-beaglebone-black');

    const add = await waltServer(['plugins', 'add', tarball], where);
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toContain(`walt-plugin-beaglebone-black@1.0.0 installed in ${join(server.dataDir, 'plugins')}.`);
    expect(add.stdout).toContain(`Restart the running server (pid ${server.process.pid}) to apply.`);

    const dataDir = server.dataDir;
    await server.stop();
    server = await startServer({ config, dataDir });

    const { plugins } = await getJson<{ plugins: PluginResult[] }>(server.port, '/api/v1/plugins');
    expect(plugins.find((p) => p.name === 'walt-plugin-beaglebone-black')).toMatchObject({
      origin: 'installed',
      status: 'loaded',
      contributes: { nodeModels: ['beaglebone-black'], helpTopics: ['install-beaglebone-black'] },
      // The server's built-in uboot protocol serves the model: no missing-protocol warning.
      warnings: [],
    });
    const topic = await getJson<{ title: string; markdown: string }>(server.port, '/api/v1/help-topics/install-beaglebone-black');
    expect(topic.title).toBe('Installing a BeagleBone Black node');
    expect(server.output()).toMatch(/plugin walt-plugin-beaglebone-black@1\.0\.0 loaded \(installed, \d+ ms\): nodeModels=beaglebone-black helpTopics=install-beaglebone-black/);

    const list = await waltServer(['plugins', 'list'], where);
    expect(list.stdout).toMatch(/^walt-plugin-beaglebone-black\s+1\.0\.0\s+installed\s+loaded\s+nodeModels=beaglebone-black helpTopics=install-beaglebone-black$/m);
  });
});
