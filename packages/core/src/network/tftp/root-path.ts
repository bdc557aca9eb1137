import { constants } from 'node:fs';
import { lstat, open, readlink, realpath, type FileHandle } from 'node:fs/promises';
import { join, relative, isAbsolute, sep } from 'node:path';

/** A name that tried to leave its root; the server refuses it and logs it. */
export class PathEscapeError extends Error {}

/** A name that does not resolve to a regular file inside its root. */
export class PathNotFoundError extends Error {}

/**
 * How absolute symlinks found while walking are read: 'root' treats them as the root's own
 * absolute paths (an image, seen as the node sees it); 'host' reads them as host paths, allowed
 * only when they land inside the root (a static folder).
 */
export type AbsoluteSymlinks = 'root' | 'host';

const MAX_LINKS = 40;

const parts = (p: string) => p.split('/').filter((s) => s !== '' && s !== '.');

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/**
 * Resolve a relative path inside `root` one component at a time, following symlinks by hand so
 * that none can lead out of the root. Returns the host path of a regular file.
 */
export async function resolveInRoot(root: string, path: string, absoluteSymlinks: AbsoluteSymlinks): Promise<string> {
  let realRoot: string;
  try {
    realRoot = await realpath(root);
  } catch {
    throw new PathNotFoundError(`root ${root} does not exist`);
  }
  const stack: string[] = [];
  let pending = parts(path);
  let links = 0;
  while (pending.length) {
    const c = pending.shift()!;
    if (c === '..') {
      if (!stack.length) throw new PathEscapeError(`'${path}' leads above its root`);
      stack.pop();
      continue;
    }
    const candidate = join(realRoot, ...stack, c);
    let st;
    try {
      st = await lstat(candidate);
    } catch {
      throw new PathNotFoundError(`'${path}' not found`);
    }
    if (st.isSymbolicLink()) {
      if (++links > MAX_LINKS) throw new PathNotFoundError(`'${path}': too many symbolic links`);
      const target = await readlink(candidate);
      if (target.startsWith('/')) {
        if (absoluteSymlinks === 'host') {
          if (!inside(realRoot, target)) throw new PathEscapeError(`'${path}' is a symbolic link to ${target}, outside its root`);
          pending = [...parts(relative(realRoot, target)), ...pending];
        } else {
          pending = [...parts(target), ...pending];
        }
        stack.length = 0;
      } else {
        pending = [...parts(target), ...pending];
      }
      continue;
    }
    if (pending.length && !st.isDirectory()) throw new PathNotFoundError(`'${path}' not found`);
    stack.push(c);
  }
  return join(realRoot, ...stack);
}

/**
 * Open a file resolved by resolveInRoot, refusing anything but a regular file and checking again,
 * on the open descriptor, that it still lies inside the root (a link swapped in the meantime).
 */
export async function openInRoot(root: string, path: string, absoluteSymlinks: AbsoluteSymlinks): Promise<{ handle: FileHandle; size: number; hostPath: string }> {
  const hostPath = await resolveInRoot(root, path, absoluteSymlinks);
  let handle: FileHandle;
  try {
    handle = await open(hostPath, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    throw new PathNotFoundError(`'${path}' cannot be opened`);
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new PathNotFoundError(`'${path}' is not a regular file`);
    const realRoot = await realpath(root);
    const opened = await readlink(`/proc/self/fd/${handle.fd}`).catch(() => hostPath);
    if (!inside(realRoot, opened)) throw new PathEscapeError(`'${path}' resolved outside its root`);
    return { handle, size: st.size, hostPath };
  } catch (e) {
    await handle.close().catch(() => undefined);
    throw e;
  }
}
