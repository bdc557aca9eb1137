import { closeSync, lstatSync, mkdtempSync, readdirSync, renameSync, rmSync, type Stats } from 'node:fs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { WaltError } from '../errors.js';
import { openBeneath, relativeInRoot, withDirectoryBeneath } from './open-beneath.js';

/**
 * `walt image cp` on an unpacked root filesystem, confined to it whatever links it holds
 * (docs/decisions/0014-security.md): every directory the server touches is opened beneath the root with
 * openat2 RESOLVE_IN_ROOT, and tar only ever works in a directory given to it as a descriptor
 * (export) or in an empty staging folder (import), never through a host path of the image.
 */

/** A tar stream of `path` (the link itself when `path` is one, as `docker cp`). Undefined when there is no such path. */
export function exportBeneath(root: string, path: string): NodeJS.ReadableStream | undefined {
  const rel = relativeInRoot(path);
  const cut = rel.lastIndexOf('/');
  const parent = cut < 0 ? '.' : rel.slice(0, cut);
  const base = cut < 0 ? rel : rel.slice(cut + 1);
  const fd = openBeneath(root, parent, true);
  if (fd === undefined) return undefined;
  try {
    try {
      lstatSync(`/proc/self/fd/${fd}/${base}`);
    } catch {
      return undefined;
    }
    // The child gets the directory as its descriptor 3: tar never resolves a path of the image
    // from the host's root, and without -h it archives links as links.
    const child = spawn('tar', ['-c', '-C', '/proc/self/fd/3', '--', base], { stdio: ['ignore', 'pipe', 'ignore', fd] });
    return child.stdout!;
  } finally {
    closeSync(fd);
  }
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

/**
 * Move what `staged` holds into directory `dest` of `root`: directories that exist (or links that
 * lead, inside the root, to one: /lib -> usr/lib) are merged, anything else replaces what is there.
 * Each step reopens its parent beneath the root, so a link changed meanwhile cannot lead out.
 */
function mergeBeneath(root: string, dest: string, staged: string): void {
  for (const name of readdirSync(staged)) {
    const from = join(staged, name);
    const isDir = lstatSync(from).isDirectory();
    const into = dest === '.' ? name : `${dest}/${name}`;
    const merged = withDirectoryBeneath(root, dest, (dir) => {
      const target = `${dir}/${name}`;
      const existing = lstatOrUndefined(target);
      if (isDir && existing && (existing.isDirectory() || (existing.isSymbolicLink() && openBeneath(root, into, true) !== undefined))) return 'merge';
      if (existing) rmSync(target, { recursive: true, force: true });
      renameSync(from, target);
      return 'moved';
    });
    if (merged === undefined) throw new WaltError('cp-failed', `directory /${dest} disappeared from the image while copying`);
    if (merged === 'merge') mergeBeneath(root, into, from);
  }
}

/** Close a descriptor that openBeneath returned only to test for a directory. */
function isDirectoryBeneath(root: string, path: string): boolean {
  const fd = openBeneath(root, path, true);
  if (fd === undefined) return false;
  closeSync(fd);
  return true;
}

/**
 * Unpack a tar stream into directory `path` of `root`. tar unpacks into an empty folder made in
 * `stagingParent` (same filesystem as the root, outside it), where GNU tar's own rules hold
 * (no absolute names, no "..", links it creates cannot be written through); the result is then
 * moved in by mergeBeneath. Resolves false when `path` is not a directory of the image.
 */
export async function importBeneath(root: string, path: string, stagingParent: string, tar: NodeJS.ReadableStream, what: string): Promise<boolean> {
  if (!isDirectoryBeneath(root, path)) return false;
  const staging = mkdtempSync(join(stagingParent, '.walt-import-'));
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn('tar', ['-x', '-C', staging, '--no-same-owner'], { stdio: ['pipe', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.on('data', (d) => (err = (err + d).slice(-2000)));
      child.on('error', reject);
      child.stdin.on('error', () => undefined);
      tar.on('error', (e) => {
        child.kill();
        reject(e);
      });
      child.on('close', (code) => (code === 0 ? resolve() : reject(new WaltError('cp-failed', `cannot unpack into ${what}: ${err.trim().split('\n').pop() ?? `tar exited with ${code}`}`))));
      tar.pipe(child.stdin);
    });
    mergeBeneath(root, relativeInRoot(path), staging);
    return true;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
