import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SDK_DIR, stageFixtures, type StagedFixtures } from '../../fixtures/plugins/stage-fixtures.js';
import { runNode, startServer } from '../../helpers/walt-processes.js';
import { baseConfig, getJson, OFFLINE_NPM, waltServer } from './server-plugins.js';

/** `walt-server plugins list | add | remove` on a data dir, with real npm runs (offline: local folders and tarballs only). */
describe('walt-server plugins', () => {
  let fixtures: StagedFixtures;
  let dataDir: string;
  let where: { configFile: string; dataDir: string };
  const pluginsDir = () => join(dataDir, 'plugins');
  const dependencies = () => (JSON.parse(readFileSync(join(pluginsDir(), 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies;
  const expectOneLineError = (r: { code: number; stderr: string }, text: string | RegExp) => {
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    if (typeof text === 'string') expect(r.stderr).toContain(text);
    else expect(r.stderr).toMatch(text);
  };

  beforeAll(() => {
    fixtures = stageFixtures(['walt-plugin-good', 'walt-plugin-bundles-sdk', 'walt-plugin-throws', 'walt-plugin-duplicate-model', 'walt-plugin-wrong-api-manifest']);
    dataDir = mkdtempSync(join(tmpdir(), 'walt-plugins-cmd-'));
    const configFile = join(dataDir, 'server.conf');
    writeFileSync(configFile, baseConfig('plugin-timeout: 5000\n'));
    where = { configFile, dataDir };
  });
  afterAll(() => {
    fixtures?.cleanup();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('lists the built-ins of a data dir no server has used yet', async () => {
    const r = await waltServer(['plugins', 'list'], where);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^NAME\s+VERSION\s+ORIGIN\s+STATE\s+DETAILS$/m);
    expect(r.stdout).toContain('The server has not run with this data dir yet');
    const json = await waltServer(['plugins', 'list', '--json'], where);
    const list = JSON.parse(json.stdout) as Array<{ origin: string; check: string; state: string | null }>;
    expect(list.every((p) => p.origin === 'builtin' && p.check === 'ok' && p.state === null)).toBe(true);
  });

  it('adds a plugin from a folder, linked to the server SDK, never a copy of it', async () => {
    // Its boot protocol answers DHCP synchronously: it runs only inside the server, when the admin says so.
    const untrusted = await waltServer(['plugins', 'add', fixtures.dir('walt-plugin-good')], where);
    expectOneLineError(untrusted, /^Error: refused walt-plugin-good: contributes boot protocol fixture-boot, .*'in-process: true'/);
    const r = await waltServer(['plugins', 'add', '--in-process', fixtures.dir('walt-plugin-good')], where);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(`walt-plugin-good@1.0.0 installed in ${pluginsDir()}. It applies at the next server start.`);
    expect(dependencies()).toEqual({ '@walt/sdk': `file:${SDK_DIR}`, 'walt-plugin-good': 'file:packages/walt-plugin-good-1.0.0.tgz' });
    expect(realpathSync(join(pluginsDir(), 'node_modules', '@walt', 'sdk'))).toBe(realpathSync(SDK_DIR));
    expect(existsSync(join(pluginsDir(), 'node_modules', 'walt-plugin-good', 'node_modules'))).toBe(false);
    expect(existsSync(join(SDK_DIR, 'node_modules'))).toBe(false);
    expect(readdirSync(join(pluginsDir(), 'packages'))).toEqual(['walt-plugin-good-1.0.0.tgz']);
  }, 180_000);

  it.each([
    ['walt-plugin-bundles-sdk', 'refused walt-plugin-bundles-sdk: bundles @walt/sdk in dependencies (make it a peerDependency: the server provides it)'],
    ['walt-plugin-wrong-api-manifest', 'refused walt-plugin-wrong-api-manifest: written for plugin API version 2, this server speaks version 1'],
    ['walt-plugin-throws', 'refused walt-plugin-throws: register() threw: cannot find the frobnicator'],
    ['walt-plugin-duplicate-model', "refused walt-plugin-duplicate-model: conflict: node model 'fixture-board' is already provided by walt-plugin-good"],
  ])('refuses %s, says why, and leaves the data dir as it was', async (fixture, message) => {
    const before = dependencies();
    const r = await waltServer(['plugins', 'add', fixtures.dir(fixture)], where);
    expectOneLineError(r, `Error: ${message}`);
    expect(dependencies()).toEqual(before);
    expect(existsSync(join(pluginsDir(), 'node_modules', fixture))).toBe(false);
    expect(readdirSync(join(pluginsDir(), 'packages'))).toEqual(['walt-plugin-good-1.0.0.tgz']);
  });

  it('refuses a tarball or folder that does not exist', async () => {
    expectOneLineError(await waltServer(['plugins', 'add', './no-such-plugin-1.0.0.tgz'], where), 'Error: ./no-such-plugin-1.0.0.tgz not found');
  });

  it("reports npm's reason, in one line, for a registry name it cannot fetch (npm is offline in tests)", async () => {
    expectOneLineError(await waltServer(['plugins', 'add', 'walt-plugin-does-not-exist'], where), /^Error: npm pack failed: .*walt-plugin-does-not-exist/);
    expect(readdirSync(pluginsDir()).sort()).toEqual(['node_modules', 'package-lock.json', 'package.json', 'packages']);
  });

  it('refuses to remove what is not installed', async () => {
    expectOneLineError(await waltServer(['plugins', 'remove', 'walt-plugin-nope'], where), /Error: walt-plugin-nope is not installed in .* \(installed: walt-plugin-good\)/);
    expectOneLineError(await waltServer(['plugins', 'remove', '@walt/sdk'], where), "Error: @walt/sdk is the server's SDK, not a plugin");
  });

  it('needs its arguments', async () => {
    const r = await runNode(join(import.meta.dirname, '../../../packages/server/dist/bin/walt-server.js'), ['plugins', 'add'], { env: OFFLINE_NPM });
    expectOneLineError(r, "missing required argument 'npm-spec'");
  });

  it('loads the installed plugin at the next start, and lists it as installed', async () => {
    const server = await startServer({ dataDir, config: readFileSync(where.configFile, 'utf8') });
    try {
      const { plugins } = await getJson<{ plugins: Array<{ name: string; origin: string; status: string }> }>(server.port, '/api/v1/plugins');
      expect(plugins).toContainEqual(expect.objectContaining({ name: 'walt-plugin-good', origin: 'installed', status: 'loaded' }));
      const r = await waltServer(['plugins', 'list'], where);
      expect(r.stdout).toMatch(/^walt-plugin-good\s+1\.0\.0\s+installed\s+loaded\s+nodeModels=fixture-board/m);
    } finally {
      await server.stop();
    }
    const after = await waltServer(['plugins', 'list'], where);
    expect(after.stdout).toMatch(/^walt-plugin-good\s+1\.0\.0\s+installed\s+ok\s+nodeModels=fixture-board/m);
    expect(after.stdout).toContain('The server is not running');
  });

  it('removes a plugin: dependency, package and tarball', async () => {
    const r = await waltServer(['plugins', 'remove', 'walt-plugin-good'], where);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(`walt-plugin-good removed from ${pluginsDir()}. It applies at the next server start.`);
    expect(dependencies()).toEqual({ '@walt/sdk': `file:${SDK_DIR}` });
    expect(existsSync(join(pluginsDir(), 'node_modules', 'walt-plugin-good'))).toBe(false);
    expect(readdirSync(join(pluginsDir(), 'packages'))).toEqual([]);
    const list = JSON.parse((await waltServer(['plugins', 'list', '--json'], where)).stdout) as Array<{ origin: string }>;
    expect(list.filter((p) => p.origin !== 'builtin')).toEqual([]);
  });
});
