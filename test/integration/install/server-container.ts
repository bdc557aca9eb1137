import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO } from '../../helpers/walt-processes.js';
import { packWorkspaces } from './pack-workspaces.js';
// @ts-expect-error plain ESM helper shared with the bench
import { testEngineEnv } from '../../fixtures/images/build-test-image.mjs';

/**
 * A bare Debian bookworm server in a Podman container with systemd as PID 1, for the install test:
 * the root comes from bookworm-root/build.sh (mmdebstrap), cached outside the checkout and keyed by
 * the recipe's hash (as .ci/node-image.sh does for the node image); the server packages are packed
 * from this checkout and installed on the host into a staging prefix that is copied to /usr/local.
 */
const run = promisify(execFile);
const RECIPE = join(REPO, 'test/integration/install/bookworm-root');
export const CACHE = process.env.WALT_SERVER_ROOT_CACHE ?? '/var/cache/walt-ci/server-install-root';

/** The podman CLI on the shared test storage of .ci/start-daemons.sh (/tmp/walt-ci-env). */
const ENGINE = testEngineEnv() as { WALT_TEST_PODMAN_ARGS: string; CONTAINERS_CONF: string; CONTAINERS_REGISTRIES_CONF: string };

export async function podman(args: string[], options: { timeoutMs?: number } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run('podman', [...ENGINE.WALT_TEST_PODMAN_ARGS.split(/\s+/).filter(Boolean), ...args], {
      timeout: options.timeoutMs ?? 120_000,
      maxBuffer: 64 << 20,
      encoding: 'utf8',
      env: { ...process.env, CONTAINERS_CONF: ENGINE.CONTAINERS_CONF, CONTAINERS_REGISTRIES_CONF: ENGINE.CONTAINERS_REGISTRIES_CONF },
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code?: number | string; stdout?: string; stderr?: string; message: string };
    return { code: typeof err.code === 'number' ? err.code : 1, stdout: err.stdout ?? '', stderr: err.stderr ?? err.message };
  }
}

async function podmanOrFail(args: string[], timeoutMs?: number): Promise<string> {
  const r = await podman(args, { timeoutMs });
  if (r.code !== 0) throw new Error(`podman ${args.join(' ')} failed (${r.code}): ${r.stderr.trim()}`);
  return r.stdout;
}

/** The image of the bare root, built (a minute) and imported only when its recipe changed. */
export async function bookwormRootImage(): Promise<string> {
  const hash = execFileSync(join(RECIPE, 'recipe-hash.sh'), { encoding: 'utf8' }).trim();
  const image = `localhost/walt-test/bookworm-server-root:${hash}`;
  if ((await podman(['image', 'exists', image])).code === 0) return image;
  mkdirSync(CACHE, { recursive: true });
  const tar = join(CACHE, `bookworm-root-${hash}.tar`);
  if (!existsSync(tar)) {
    await run(join(RECIPE, 'build.sh'), [`${tar}.part`], { timeout: 15 * 60_000, maxBuffer: 64 << 20 }).catch((e: { stderr?: string; message: string }) => {
      throw new Error(`bookworm-root/build.sh failed: ${String(e.stderr ?? e.message).slice(-2000)}`);
    });
    renameSync(`${tar}.part`, tar);
    for (const old of readdirSync(CACHE).filter((f) => /^bookworm-root-.*\.tar$/.test(f) && f !== `bookworm-root-${hash}.tar`)) rmSync(join(CACHE, old));
  }
  await podmanOrFail(['import', tar, image], 5 * 60_000);
  // Roots of older recipes are of no use any more.
  const tags = (await podman(['images', '--format', '{{.Repository}}:{{.Tag}}', 'localhost/walt-test/bookworm-server-root'])).stdout.split('\n');
  for (const old of tags.filter((t) => t && t !== image)) await podman(['rmi', old]);
  return image;
}

const npmEnv = { ...process.env, npm_config_fund: 'false', npm_config_audit: 'false', npm_config_update_notifier: 'false' };

/**
 * Pack the server's packages (npm pack, as they would be published) and install them from the
 * tarballs into `prefix` as `npm install -g --prefix` does, on this host (same Debian 12, same node).
 * Install scripts do not run: @walt/tftp-native is rebuilt with `npm rebuild`; better-sqlite3's
 * addon, whose SQLite compile takes minutes on a busy machine, is the one `npm install` built for
 * this checkout when the versions match (the same sources and compiler), else it is rebuilt too.
 */
export async function stageServerInstall(work: string): Promise<string> {
  const tarballs = join(work, 'tarballs');
  const prefix = join(work, 'prefix');
  mkdirSync(tarballs, { recursive: true });
  await packWorkspaces(tarballs, npmEnv);
  const ours = readdirSync(tarballs).filter((n) => n.endsWith('.tgz') && !n.startsWith('walt-plugin-beaglebone') && !n.startsWith('walt-plugin-switch-zyxel'));
  await run('npm', ['install', '-g', '--prefer-offline', '--ignore-scripts', '--prefix', prefix, ...ours.map((n) => join(tarballs, n))], { cwd: work, env: npmEnv, timeout: 10 * 60_000 });
  await run('npm', ['rebuild', '-g', '--prefix', prefix, '@walt/tftp-native'], { cwd: work, env: npmEnv, timeout: 10 * 60_000 });
  const sqlite = join(prefix, 'lib/node_modules/@walt/core/node_modules/better-sqlite3');
  const built = join(REPO, 'node_modules/better-sqlite3');
  const version = (dir: string) => (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  const addon = 'build/Release/better_sqlite3.node';
  if (existsSync(join(built, addon)) && version(built) === version(sqlite)) {
    mkdirSync(join(sqlite, 'build/Release'), { recursive: true });
    copyFileSync(join(built, addon), join(sqlite, addon));
  } else {
    await run('npm', ['rebuild', '-g', '--prefix', prefix, 'better-sqlite3'], { cwd: work, env: npmEnv, timeout: 15 * 60_000 });
  }
  return prefix;
}

/** The host's apt sources (and the keyrings they name), so that apt in the container reaches only what the host's apt reaches. */
export function hostAptSources(): string[] {
  const files = ['/etc/apt/sources.list', ...readdirSync('/etc/apt/sources.list.d').filter((f) => /\.(list|sources)$/.test(f)).map((f) => `/etc/apt/sources.list.d/${f}`)].filter((f) => existsSync(f));
  const keyrings = new Set<string>();
  for (const f of files) for (const m of readFileSync(f, 'utf8').matchAll(/(?:Signed-By:\s*|signed-by=)(\/[^\s\]]+)/gi)) if (existsSync(m[1])) keyrings.add(m[1]);
  return [...files, ...keyrings];
}
