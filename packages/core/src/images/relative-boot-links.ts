import { lstatSync, readdirSync, readlinkSync, symlinkSync, unlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/**
 * Rewrite absolute symlinks under an image view's /boot as relative ones (walt-server-internals.md
 * §5.2): a node's TFTP and HTTP root is the view's /boot/<model>/, where `/boot/vmlinuz-...` would
 * mean the server's own file, not the image's.
 */
export function relativeBootLinks(root: string): void {
  const walk = (rel: string, depth: number) => {
    if (depth > 8) return;
    let entries: string[];
    try {
      entries = readdirSync(join(root, rel));
    } catch {
      return;
    }
    for (const name of entries) {
      const relPath = join(rel, name);
      const st = lstatSync(join(root, relPath));
      if (st.isDirectory()) walk(relPath, depth + 1);
      else if (st.isSymbolicLink()) {
        const target = readlinkSync(join(root, relPath));
        if (!target.startsWith('/')) continue;
        const fixed = relative(join('/', dirname(relPath)), target) || '.';
        unlinkSync(join(root, relPath));
        symlinkSync(fixed, join(root, relPath));
      }
    }
  };
  walk('boot', 0);
}
