import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { WaltError } from '../errors.js';
import { SDK_PACKAGE, installedPlugins, pluginsDir, type PluginsProject } from './installed-plugins.js';
import { runNpm, type NpmRunOptions } from './npm-runner.js';
import { checkPluginPackage, readPluginManifest } from './plugin-manifest.js';
import { readTarball } from './tarball-contents.js';

export interface PluginInstallerOptions {
  /** The server's own @walt/sdk folder, which installed plugins must share (default: the one core imports). */
  sdkDir?: string;
  /** npm timeout and environment. */
  npm?: Omit<NpmRunOptions, 'prefix'>;
  /** Progress lines (what npm is doing), for a TTY. */
  progress?: (line: string) => void;
}

export interface InstalledPluginInfo {
  name: string;
  version: string;
  /** The tarball kept in the data dir, the package's source of truth for later npm runs. */
  tarball: string;
}

/** A plugin the installer refused; the message names the plugin and every reason. */
export const refused = (name: string, reasons: readonly string[]) =>
  new WaltError('plugin-refused', `refused ${name}: ${reasons.join('; ')}`, 400);

/** The folder of the @walt/sdk this server runs with. */
export function serverSdkDir(): string {
  return dirname(createRequire(import.meta.url).resolve(`${SDK_PACKAGE}/package.json`));
}

/**
 * Installs and removes plugins in <data-dir>/plugins, a private npm project (as oclif does for its
 * user plugins). Every spec, registry name, tarball or folder, is first packed into a tarball kept
 * under packages/ and checked with the manifest rules before npm installs it; after the install a
 * caller-supplied check (a dry-run load) may still refuse it, and then the project is rolled back.
 * @walt/sdk is a "file:" dependency on the server's own SDK, so npm links it instead of fetching a
 * copy, and plugins import the very SDK the server runs.
 */
export class PluginInstaller {
  readonly dir: string;
  private readonly packagesDir: string;
  private readonly stagingDir: string;
  private readonly sdkDir: string;

  constructor(
    readonly dataDir: string,
    private readonly options: PluginInstallerOptions = {},
  ) {
    this.dir = pluginsDir(dataDir);
    this.packagesDir = join(this.dir, 'packages');
    this.stagingDir = join(this.dir, '.staging');
    this.sdkDir = options.sdkDir ?? serverSdkDir();
  }

  /** Names of the installed plugins. */
  installed(): string[] {
    return installedPlugins(this.dataDir);
  }

  /**
   * Install a plugin from a registry name ("walt-plugin-x", "walt-plugin-x@1.2.0"), a tarball or a
   * folder. `check` gets the installed package name and returns why it must be refused, if it must.
   */
  async add(spec: string, check?: (name: string) => Promise<string | undefined>, { inProcess = false }: { inProcess?: boolean } = {}): Promise<InstalledPluginInfo> {
    if (!spec.trim()) throw new WaltError('invalid', 'give a plugin to add: an npm package name, a .tgz tarball or a folder');
    return this.locked(async () => {
      this.prepareProject();
      try {
        return await this.installStaged(await this.pack(spec), check, inProcess);
      } finally {
        rmSync(this.stagingDir, { recursive: true, force: true });
      }
    });
  }

  /** Uninstall a plugin; its plugin-data folder is kept. */
  async remove(name: string): Promise<void> {
    if (name === SDK_PACKAGE) throw new WaltError('invalid', `${SDK_PACKAGE} is the server's SDK, not a plugin`);
    await this.locked(async () => {
      const deps = this.dependencies();
      if (!deps || !(name in deps) || name === SDK_PACKAGE) {
        const installed = this.installed();
        throw new WaltError('not-found', `${name} is not installed in ${this.dir} (installed: ${installed.join(', ') || 'none'})`, 404);
      }
      this.prepareProject();
      this.progress(`removing ${name}`);
      await runNpm(['uninstall', name], { ...this.options.npm, prefix: this.dir });
      this.recordOrder((order) => order.filter((n) => n !== name));
      this.recordInProcess(name, false);
      const tarball = tarballOf(deps[name]);
      if (tarball) rmSync(join(this.dir, tarball), { force: true });
    });
  }

  private async installStaged(
    staged: { file: string; name: string },
    check: ((name: string) => Promise<string | undefined>) | undefined,
    inProcess: boolean,
  ): Promise<InstalledPluginInfo> {
    const contents = await readTarball(staged.file);
    const pre = checkPluginPackage(contents.packageJson, '', { has: (p) => contents.paths.has(p) });
    if (!pre.manifest) throw refused(pre.name ?? staged.name, pre.problems);
    const { name, version } = pre.manifest;

    const saved = this.snapshot();
    const target = join(this.packagesDir, basename(staged.file));
    const replaced = existsSync(target) ? `${target}.previous` : undefined;
    if (replaced) renameSync(target, replaced);
    renameSync(staged.file, target);
    const rollback = async () => {
      rmSync(target, { force: true });
      if (replaced) renameSync(replaced, target);
      saved.restore();
      // Re-sync node_modules with the restored package.json and lock (removes what was added).
      await runNpm(['install'], { ...this.options.npm, prefix: this.dir }).catch(() => undefined);
    };
    try {
      this.progress(`installing ${name}@${version}`);
      await runNpm(['install', `./packages/${basename(target)}`, '--save', '--install-links=false'], { ...this.options.npm, prefix: this.dir });
      // Recorded before the check, so the dry run loads it as the next start will.
      this.recordInProcess(name, inProcess);
      const installedDir = join(this.dir, 'node_modules', name);
      const post = readPluginManifest(installedDir);
      const problem = post.manifest ? await check?.(name) : post.problems.join('; ');
      if (problem) throw refused(name, [problem]);
    } catch (e) {
      await rollback();
      throw e;
    }
    if (replaced) rmSync(replaced, { force: true });
    this.recordOrder((order) => (order.includes(name) ? order : [...order, name]));
    const previous = tarballOf(saved.dependencies?.[name]);
    if (previous && previous !== `packages/${basename(target)}`) rmSync(join(this.dir, previous), { force: true });
    return { name, version, tarball: target };
  }

  /** Pack any npm spec into a tarball in the staging folder (a folder's prepack script builds it). */
  private async pack(spec: string): Promise<{ file: string; name: string }> {
    rmSync(this.stagingDir, { recursive: true, force: true });
    mkdirSync(this.stagingDir, { recursive: true });
    const local = resolve(spec);
    const isLocal = existsSync(local) && (statSync(local).isDirectory() || /\.(tgz|tar\.gz|tar)$/.test(local));
    if (!isLocal && (spec.startsWith('.') || spec.startsWith('/') || /\.(tgz|tar\.gz)$/.test(spec))) {
      throw new WaltError('not-found', `${spec} not found (give an existing folder or .tgz file, or an npm package name)`, 404);
    }
    const npmSpec = isLocal ? local : spec;
    this.progress(`fetching ${npmSpec}`);
    const { stdout } = await runNpm(['pack', npmSpec, '--pack-destination', this.stagingDir, '--json'], { ...this.options.npm, prefix: this.stagingDir });
    const files = readdirSync(this.stagingDir).filter((f) => f.endsWith('.tgz'));
    if (files.length !== 1) throw new WaltError('plugin-refused', `npm pack ${npmSpec} produced ${files.length} tarballs, expected one`);
    return { file: join(this.stagingDir, files[0]), name: packedName(stdout) ?? spec };
  }

  /** Create or refresh the private npm project; the SDK dependency always points at this server's SDK. */
  private prepareProject(): void {
    mkdirSync(this.packagesDir, { recursive: true });
    const file = join(this.dir, 'package.json');
    let pkg: Record<string, unknown> = {
      name: 'walt-server-plugins',
      private: true,
      description: "Plugins installed by 'walt-server plugins add' (managed by WalT: do not edit)",
      dependencies: {},
    };
    if (existsSync(file)) {
      try {
        pkg = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      } catch (e) {
        throw new WaltError('invalid', `${file} is not valid JSON (${(e as Error).message}); fix or delete it, then add the plugins again`);
      }
    }
    const deps = { ...((pkg.dependencies ?? {}) as Record<string, string>), [SDK_PACKAGE]: `file:${this.sdkDir}` };
    pkg.dependencies = deps;
    writeFileSync(file, JSON.stringify(pkg, null, 2) + '\n');
  }

  /** Record whether the admin trusts this plugin to run inside the server's process (add --in-process). */
  private recordInProcess(name: string, inProcess: boolean): void {
    const file = join(this.dir, 'package.json');
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as PluginsProject & Record<string, unknown>;
    const others = (pkg.walt?.inProcess ?? []).filter((n) => n !== name);
    pkg.walt = { ...pkg.walt, inProcess: inProcess ? [...others, name] : others };
    writeFileSync(file, JSON.stringify(pkg, null, 2) + '\n');
  }

  /** Update the install order kept in package.json (npm preserves fields it does not know). */
  private recordOrder(update: (order: string[]) => string[]): void {
    const file = join(this.dir, 'package.json');
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as PluginsProject & Record<string, unknown>;
    const current = (pkg.walt?.installOrder ?? []).filter((n) => pkg.dependencies && n in pkg.dependencies);
    pkg.walt = { ...pkg.walt, installOrder: update(current) };
    writeFileSync(file, JSON.stringify(pkg, null, 2) + '\n');
  }

  private dependencies(): Record<string, string> | undefined {
    try {
      return (JSON.parse(readFileSync(join(this.dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }).dependencies;
    } catch {
      return undefined;
    }
  }

  /** Keep package.json and package-lock.json as they are, to put them back on a refusal. */
  private snapshot(): { dependencies?: Record<string, string>; restore(): void } {
    const files = ['package.json', 'package-lock.json'].map((f) => join(this.dir, f));
    const saved = files.map((f) => (existsSync(f) ? readFileSync(f) : undefined));
    return {
      dependencies: this.dependencies(),
      restore: () => files.forEach((f, i) => (saved[i] ? writeFileSync(f, saved[i]) : rmSync(f, { force: true }))),
    };
  }

  /** One plugins command at a time per data dir: two npm runs in one project corrupt it. */
  private async locked<T>(work: () => Promise<T>): Promise<T> {
    mkdirSync(this.dir, { recursive: true });
    const lock = join(this.dir, '.lock');
    for (let attempt = 0; ; attempt++) {
      try {
        const fd = openSync(lock, 'wx');
        writeSync(fd, String(process.pid));
        closeSync(fd);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw e;
        const holder = Number(readFileSync(lock, 'utf8'));
        if (holder && isAlive(holder)) {
          throw new WaltError('busy', `another 'walt-server plugins' command (pid ${holder}) is working in ${this.dir}; wait for it to finish`, 409);
        }
        rmSync(lock, { force: true }); // left by a process that died
      }
    }
    try {
      return await work();
    } finally {
      rmSync(lock, { force: true });
    }
  }

  private progress(line: string): void {
    this.options.progress?.(line);
  }
}

/** The tarball path inside the project of a "file:packages/x.tgz" dependency. */
function tarballOf(dep: string | undefined): string | undefined {
  const m = dep ? /^file:(?:\.\/)?(packages\/[^/]+\.tgz)$/.exec(dep) : null;
  return m?.[1];
}

/** The package name from `npm pack --json` output (scripts may print before the JSON). */
function packedName(stdout: string): string | undefined {
  const start = stdout.search(/^\[/m);
  if (start < 0) return undefined;
  try {
    return (JSON.parse(stdout.slice(start)) as Array<{ name?: string }>)[0]?.name;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
