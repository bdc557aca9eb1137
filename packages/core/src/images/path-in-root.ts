import { lstatSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Resolve `relPath` inside `root` as a chroot would: symlinks met on the way (absolute or relative)
 * are followed inside `root`, never outside it. The last component is not followed, so it can be
 * replaced. Used to write files into image views whose /bin or /etc may be symlinks.
 */
export function pathInRoot(root: string, relPath: string): string {
  const parts = relPath.split('/').filter((p) => p && p !== '.');
  const resolved: string[] = [];
  let hops = 0;
  while (parts.length) {
    const part = parts.shift()!;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    if (!parts.length) {
      resolved.push(part);
      break;
    }
    const candidate = join(root, ...resolved, part);
    let target: string | undefined;
    try {
      if (lstatSync(candidate).isSymbolicLink()) target = readlinkSync(candidate);
    } catch {
      /* missing: created later */
    }
    if (target === undefined) {
      resolved.push(part);
      continue;
    }
    if (++hops > 40) throw new Error(`too many symbolic links under ${relPath}`);
    if (target.startsWith('/')) resolved.length = 0;
    parts.unshift(...target.split('/').filter((p) => p && p !== '.'));
  }
  return join(root, ...resolved);
}
