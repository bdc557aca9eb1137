import { spawn } from 'node:child_process';
import { chmodSync, cpSync, lstatSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipUnless } from '../../helpers/prerequisites.js';
import { REPO, WALT_BIN, WALT_SERVER_BIN, startServer, type ServerHandle } from '../../helpers/walt-processes.js';
import { baseConfig, getJson, waltServer } from './server-plugins.js';

interface PluginResult {
  name: string;
  origin: string;
  status: string;
  error?: string;
  contributes: { nodeModels: string[]; switchDrivers: string[]; helpTopics: string[] };
  warnings: string[];
}

interface Run {
  code: number | null;
  out: string;
}

/**
 * A command as a plugin author runs it in their own folder: no npm settings inherited from the npm
 * that runs this suite (workspaces, prefix), output and errors together, bounded in time.
 */
function run(cmd: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}, timeoutMs = 240_000): Promise<Run> {
  const clean: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) clean[k] = v;
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env: { ...clean, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

const EXAMPLES = ['walt-plugin-beaglebone-black', 'walt-plugin-switch-zyxel'];

/** The no-hardware recipe, exactly as docs/topics/new-node-support.md shows it. */
function documentedRecipe(): string {
  const doc = readFileSync(join(REPO, 'docs/topics/new-node-support.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## Trying it without hardware'));
  const m = /```bash\n([\s\S]*?)```/.exec(section);
  if (!m) throw new Error('no ```bash block under "## Trying it without hardware" in new-node-support.md');
  return m[1];
}

/**
 * The journey of a plugin author who never saw the repository: the two examples copied into
 * an empty folder, the SDK installed from its packed tarball, built and tested there with their own
 * vitest; then `walt-server plugins add <folder>` into a server, `start -P <folder>` for the dev
 * loop, npm's real error for a broken prepack, and the documented no-hardware recipe.
 */
describe.skipIf(skipUnless({ root: true, commands: ['npm', 'ip', 'busybox'] }))('a plugin author outside the repository', () => {
  let work: string;
  let sdkTarball: string;
  const folder = (name: string) => join(work, name);
  let server: ServerHandle | undefined;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'walt-author-'));
    const pack = await run('npm', ['pack', join(REPO, 'packages/sdk'), '--pack-destination', work, '--json'], work);
    expect(pack.code, pack.out).toBe(0);
    sdkTarball = join(work, (JSON.parse(pack.out.slice(pack.out.indexOf('['))) as Array<{ filename: string }>)[0].filename);
    for (const name of EXAMPLES) {
      cpSync(join(REPO, 'examples', name), folder(name), {
        recursive: true,
        filter: (src) => !['node_modules', 'dist'].includes(basename(src)),
      });
    }
  }, 120_000);

  afterAll(async () => {
    await server?.stop({ cleanup: true });
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('each example installs the SDK from its tarball, builds, and passes its own tests in its own folder', async () => {
    const results = await Promise.all(
      EXAMPLES.map(async (name) => {
        const dir = folder(name);
        const install = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '-D', sdkTarball], dir);
        if (install.code !== 0) return { name, step: 'npm install', ...install };
        const build = await run('npm', ['run', 'build'], dir);
        if (build.code !== 0) return { name, step: 'npm run build', ...build };
        return { name, step: 'npm test', ...(await run('npm', ['test'], dir)) };
      }),
    );
    for (const r of results) {
      expect(r.code, `${r.name}: ${r.step} failed:\n${r.out}`).toBe(0);
      // Its own vitest ran its own tests.
      expect(r.out).toMatch(/Test Files\s+1 passed/);
      expect(r.out).not.toMatch(/\d+ (failed|skipped)/);
      // The SDK is a real copy from the tarball, not a link into the repository.
      expect(lstatSync(join(folder(r.name), 'node_modules/@walt/sdk')).isSymbolicLink()).toBe(false);
      const pkg = JSON.parse(readFileSync(join(folder(r.name), 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
      expect(pkg.devDependencies['@walt/sdk']).toMatch(/^file:.*walt-sdk-1\.0\.0\.tgz$/);
    }
  }, 400_000);

  it('walt-server plugins add <folder> installs both; after a restart they load', async () => {
    const config = baseConfig();
    server = await startServer({ config });
    const where = { configFile: server.configFile, dataDir: server.dataDir };
    for (const name of EXAMPLES) {
      const add = await waltServer(['plugins', 'add', folder(name)], where);
      expect(add.code, add.stderr).toBe(0);
      expect(add.stdout).toContain(`${name}@1.0.0 installed`);
    }
    const dataDir = server.dataDir;
    await server.stop();
    server = await startServer({ config, dataDir });
    const { plugins } = await getJson<{ plugins: PluginResult[] }>(server.port, '/api/v1/plugins');
    expect(plugins.find((p) => p.name === 'walt-plugin-beaglebone-black')).toMatchObject({
      origin: 'installed',
      status: 'loaded',
      contributes: { nodeModels: ['beaglebone-black'], helpTopics: ['install-beaglebone-black'] },
      warnings: [],
    });
    expect(plugins.find((p) => p.name === 'walt-plugin-switch-zyxel')).toMatchObject({ origin: 'installed', status: 'loaded', contributes: { switchDrivers: ['zyxel'] } });
    await server.stop({ cleanup: true });
    server = undefined;
  }, 300_000);

  it("plugins add <folder> whose prepack fails shows npm's real error, not its log path", async () => {
    const broken = join(work, 'walt-plugin-broken-prepack');
    cpSync(folder('walt-plugin-beaglebone-black'), broken, { recursive: true, filter: (src) => basename(src) !== 'node_modules' });
    const pkgFile = join(broken, 'package.json');
    const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as Record<string, unknown> & { scripts: Record<string, string> };
    pkg.name = 'walt-plugin-broken-prepack';
    pkg.scripts.prepack = 'tsc-not-installed -b tsconfig.json';
    writeFileSync(pkgFile, JSON.stringify(pkg, null, 2));
    const data = mkdtempSync(join(tmpdir(), 'walt-author-data-'));
    const configFile = join(data, 'server.conf');
    writeFileSync(configFile, baseConfig());
    try {
      const add = await waltServer(['plugins', 'add', broken], { configFile, dataDir: data });
      expect(add.code).not.toBe(0);
      expect(add.stderr.trim().split('\n')).toHaveLength(1);
      expect(add.stderr).toMatch(/script `tsc-not-installed -b tsconfig\.json` exited with code 127: .*tsc-not-installed: not found/);
      expect(add.stderr).not.toContain('A complete log');
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  }, 120_000);

  it('start -P <folder> loads the working folder as it is, and reads it again at each restart', async () => {
    const dir = folder('walt-plugin-beaglebone-black');
    server = await startServer({ args: ['-P', dir] });
    const plugin = async () => (await getJson<{ plugins: PluginResult[] }>(server!.port, '/api/v1/plugins')).plugins.find((p) => p.name === 'walt-plugin-beaglebone-black');
    expect(await plugin()).toMatchObject({ origin: 'dev', status: 'loaded', contributes: { nodeModels: ['beaglebone-black'] } });
    expect((await plugin())!.warnings.join('\n')).toContain("imports its own @walt/sdk from");
    const title = async () => (await getJson<{ title: string }>(server!.port, '/api/v1/help-topics/install-beaglebone-black')).title;
    expect(await title()).toBe('Installing a BeagleBone Black node');
    const list = await waltServer(['plugins', 'list'], { configFile: server.configFile, dataDir: server.dataDir });
    expect(list.stdout).toMatch(/^walt-plugin-beaglebone-black\s+1\.0\.0\s+dev\s+loaded\s+nodeModels=beaglebone-black/m);

    // Edit, rebuild, restart: the new code runs, nothing packed or installed.
    const topicFile = join(dir, 'src/install-topic.ts');
    writeFileSync(topicFile, readFileSync(topicFile, 'utf8').replace("title: 'Installing a BeagleBone Black node'", "title: 'Installing a BeagleBone Black node (edited)'"));
    const build = await run('npm', ['run', 'build'], dir);
    expect(build.code, build.out).toBe(0);
    const dataDir = server.dataDir;
    await server.stop();
    server = await startServer({ dataDir, args: ['-P', dir] });
    expect(await title()).toBe('Installing a BeagleBone Black node (edited)');
    await server.stop({ cleanup: true });
    server = undefined;

    const missing = await run(process.execPath, [WALT_SERVER_BIN, 'start', '-P', join(work, 'no-such-folder')], work, {}, 30_000);
    expect(missing.code).not.toBe(0);
    expect(missing.out).toContain(`--plugin-dir ${join(work, 'no-such-folder')}: no package.json there`);
  }, 180_000);

  it("the documented no-hardware recipe boots a simulated node of the example's model", async () => {
    const script = join(work, 'try-node-model.sh');
    writeFileSync(script, documentedRecipe());
    chmodSync(script, 0o755);
    const prefix = `${(process.env.WALT_TEST_NETNS_PREFIX ?? '').slice(0, 1)}wtry`;
    const r = await run('bash', [script, folder('walt-plugin-beaglebone-black'), 'beaglebone-black'], work, {
      WALT_SERVER_CMD: `${process.execPath} ${WALT_SERVER_BIN}`,
      WALT_CMD: `${process.execPath} ${WALT_BIN}`,
      TRY_PREFIX: prefix,
      TRY_SUBNET: '192.168.241',
    }, 120_000);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/^lease ip=192\.168\.241\.\d+ server=192\.168\.241\.1$/m);
    expect(r.out).toContain('start.uboot: echo hello from beaglebone-black');
    expect(r.out).toMatch(/^node-5e0001\s+physical\s+beaglebone-black\s+192\.168\.241\.\d+/m);
    expect(r.out).toMatch(/platform\.devices -> new node name=node-5e0001 model=beaglebone-black/);
    expect(r.out).toMatch(/platform\.tftp -> node-5e0001 \(beaglebone-black, [\d.]+\) fetched start\.uboot/);
    // It removed what it made.
    const left = await run('ip', ['netns', 'list'], work);
    expect(left.out).not.toContain(`${prefix}-srv`);
  }, 180_000);
});
