import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where the Debian packages of tftp-static come from. */
export interface DebianSource {
  mirror: string;
  /** Debian release (bookworm...): the host's own by default. */
  suite: string;
  /** Folder keeping the apt lists and the downloaded .deb files between runs. */
  cacheDir: string;
  keyring: string;
}

export const DEFAULT_DEBIAN_MIRROR = 'http://deb.debian.org/debian';
export const DEBIAN_KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg';

/** The host's Debian release, from /etc/os-release (bookworm when it says nothing). */
export function hostDebianSuite(): string {
  try {
    const m = /^VERSION_CODENAME=(\w+)/m.exec(readFileSync('/etc/os-release', 'utf8'));
    if (m) return m[1];
  } catch {
    /* not Debian-like */
  }
  return 'bookworm';
}

/**
 * apt-get on a private state (its own sources list, lists and archive folders, architecture arm64):
 * the host's apt configuration and dpkg database are never touched, nothing is installed.
 */
function aptOptions(source: DebianSource): string[] {
  const root = source.cacheDir;
  return [
    '-q',
    '-o', `Dir::Etc::SourceList=${join(root, 'sources.list')}`,
    '-o', 'Dir::Etc::SourceParts=/dev/null',
    '-o', `Dir::State::Lists=${join(root, 'lists')}`,
    '-o', `Dir::State::Status=${join(root, 'status')}`,
    '-o', `Dir::Cache=${join(root, 'cache')}`,
    '-o', 'APT::Architecture=arm64',
    '-o', 'APT::Architectures=arm64',
    '-o', 'APT::Sandbox::User=root',
    '-o', 'Debug::NoLocking=1',
  ];
}

function prepare(source: DebianSource): void {
  if (!existsSync(source.keyring)) throw new Error(`the Debian archive keyring ${source.keyring} is missing (install debian-archive-keyring)`);
  for (const d of ['lists/partial', 'cache/archives/partial', 'debs']) mkdirSync(join(source.cacheDir, d), { recursive: true });
  writeFileSync(join(source.cacheDir, 'sources.list'), `deb [signed-by=${source.keyring}] ${source.mirror} ${source.suite} main non-free-firmware\n`);
  if (!existsSync(join(source.cacheDir, 'status'))) writeFileSync(join(source.cacheDir, 'status'), '');
}

function run(cmd: string, args: string[], cwd?: string): string {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 600_000, maxBuffer: 64 * 1024 * 1024 });
  } catch (e) {
    const err = e as { stderr?: string; code?: string; message: string };
    if (err.code === 'ENOENT') throw new Error(`${cmd} is not installed (it comes with Debian's apt and dpkg)`);
    const lines = String(err.stderr ?? '').split('\n').filter((l) => /^(E|Err):/.test(l.trim()));
    throw new Error(`${cmd} ${args.filter((a) => !a.startsWith('Dir::') && !a.startsWith('APT::') && a !== '-o' && a !== '-q' && !a.startsWith('Debug::')).join(' ')} failed: ${(lines.join(' ') || String(err.stderr ?? '').trim() || err.message).replace(/\s*\n\s*/g, ' ')}`);
  }
}

/**
 * The .deb files of the named packages (arm64), downloaded once into the cache: a package whose
 * current version is already there is not downloaded again. `linux-image-arm64` is followed to
 * the versioned kernel package it depends on.
 */
export function downloadDebianPackages(source: DebianSource, names: readonly string[], log: (line: string) => void = () => undefined): Map<string, string> {
  prepare(source);
  const opts = aptOptions(source);
  log(`reading the package lists of ${source.mirror} ${source.suite} (main, non-free-firmware, arm64)`);
  run('apt-get', [...opts, 'update']);
  const debs = join(source.cacheDir, 'debs');
  const found = new Map<string, string>();
  // One apt-cache call for every name (each call reloads the lists), a second for the kernel.
  let versions = showVersions(opts, names);
  const kernel = names.includes('linux-image-arm64') ? versions.get('linux-image-arm64')?.depends : undefined;
  if (kernel) versions = new Map([...versions, ...showVersions(opts, [kernel])]);
  for (const requested of names) {
    const name = requested === 'linux-image-arm64' ? kernel : requested;
    const version = name ? versions.get(name)?.version : undefined;
    if (!name || !version) throw new Error(`package ${name ?? requested} not found in ${source.mirror} ${source.suite}`);
    const prefix = `${name}_${version.replace(/^\d+:/, '')}_`;
    let file = readdirSync(debs).find((f) => f.startsWith(prefix) && f.endsWith('.deb'));
    if (!file) {
      log(`downloading ${name} ${version}`);
      run('apt-get', [...opts, 'download', name], debs);
      file = readdirSync(debs).find((f) => f.startsWith(prefix) && f.endsWith('.deb'));
      if (!file) throw new Error(`apt-get download ${name} left no ${prefix}*.deb`);
    }
    found.set(requested, join(debs, file));
  }
  return found;
}

/** Version (and, for a metapackage, the linux-image it depends on) of each package apt knows. */
function showVersions(opts: string[], names: readonly string[]): Map<string, { version: string; depends?: string }> {
  const out = new Map<string, { version: string; depends?: string }>();
  let text: string;
  try {
    text = run('apt-cache', [...opts, 'show', '--no-all-versions', ...names]);
  } catch (e) {
    // apt-cache fails on an unknown name: the caller then says which one is missing.
    if (/No packages found|Unable to locate/i.test((e as Error).message)) return out;
    throw e;
  }
  for (const stanza of text.split(/\n\s*\n/)) {
    const name = /^Package: (\S+)$/m.exec(stanza)?.[1];
    const version = /^Version: (.+)$/m.exec(stanza)?.[1];
    if (name && version) out.set(name, { version, depends: /^Depends: (linux-image-[^\s,]+)/m.exec(stanza)?.[1] });
  }
  return out;
}

/** Unpack a .deb's files (data only: no maintainer script runs, nothing is installed). */
export function extractDeb(deb: string, into: string): void {
  mkdirSync(into, { recursive: true });
  run('dpkg-deb', ['-x', deb, into]);
}

/** Unpack only the files of a .deb matching the tar wildcards (the few device trees of a kernel package). */
export function extractDebFiles(deb: string, into: string, patterns: readonly string[]): void {
  mkdirSync(into, { recursive: true });
  run('bash', ['-o', 'pipefail', '-c', 'dpkg-deb --fsys-tarfile "$1" | tar -x -C "$2" --wildcards "${@:3}"', 'extract', deb, into, ...patterns]);
}
