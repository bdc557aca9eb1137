import { closeSync, readlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { WaltError } from '../errors.js';

type OpenBeneath = (root: string, path: string, directory?: boolean) => number;

let loaded: OpenBeneath | string | undefined;

function openat2(): OpenBeneath {
  if (loaded === undefined) {
    try {
      loaded = (createRequire(import.meta.url)('@walt/tftp-native') as { openBeneath?: OpenBeneath }).openBeneath ?? '@walt/tftp-native has no openBeneath (rebuild it)';
    } catch (e) {
      loaded = `@walt/tftp-native is not available (${String((e as Error)?.message ?? e).split('\n')[0]})`;
    }
  }
  if (typeof loaded === 'string') throw new WaltError('unsupported', `files inside images need openat2 confinement: ${loaded}`, 501);
  return loaded;
}

/** `path` relative to a root: no leading slash, "." for the root itself. */
export function relativeInRoot(path: string): string {
  return path.split('/').filter((p) => p !== '' && p !== '.').join('/') || '.';
}

/**
 * A descriptor of `path` resolved inside `root` the way a chroot sees it (openat2 RESOLVE_IN_ROOT
 * through @walt/tftp-native): an image's links, absolute or with "..", never lead outside it, even
 * if one is swapped while we resolve. Undefined when the path does not exist (or is not a
 * directory when `directory`). The caller closes it.
 */
export function openBeneath(root: string, path: string, directory: boolean): number | undefined {
  const open = openat2();
  try {
    return open(root, relativeInRoot(path), directory);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP' || code === 'EXDEV') return undefined;
    throw e;
  }
}

/** Where `path` inside `root` really is on the host (every link resolved inside the root), if it exists. */
export function hostPathBeneath(root: string, path: string, directory = false): string | undefined {
  const fd = openBeneath(root, path, directory);
  if (fd === undefined) return undefined;
  try {
    return readlinkSync(`/proc/self/fd/${fd}`);
  } finally {
    closeSync(fd);
  }
}

/** Run `work` with the directory `path` of `root` as `/proc/self/fd/<fd>` (undefined: no such directory). */
export function withDirectoryBeneath<T>(root: string, path: string, work: (dir: string, fd: number) => T): T | undefined {
  const fd = openBeneath(root, path, true);
  if (fd === undefined) return undefined;
  try {
    return work(`/proc/self/fd/${fd}`, fd);
  } finally {
    closeSync(fd);
  }
}
