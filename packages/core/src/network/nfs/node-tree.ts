import { lstatSync, mkdirSync, readdirSync, readlinkSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { imageOwner, nodesDir, type ExportedNode } from './nfs-export-plan.js';

/** Make `path` a symlink to `target`, replacing a different link; never touches real folders. */
function link(path: string, target: string): void {
  try {
    const st = lstatSync(path);
    if (!st.isSymbolicLink()) return;
    if (readlinkSync(path) === target) return;
    unlinkSync(path);
  } catch {
    /* absent */
  }
  symlinkSync(target, path);
}

/**
 * The per-node tree (reference section 5.1) under `<data dir>/nodes`: a real folder per MAC, and
 * links to it by IP, name and dashed MAC (nodes mount `<server>:<nodes>/<ip>/fs` and
 * `<nodes>/<name>/persist`). `<mac>/fs` and `<mac>/tftp` point into the image's view (absolute:
 * views live outside the data dir), `<mac>/persist` to the persist folder of the image's owner, or
 * to the absent `forbidden_dir` when mount.persist is false. Links of nodes that are gone are
 * removed; MAC folders stay, they hold persistent data.
 */
export function syncNodeTree(dataDir: string, nodes: readonly ExportedNode[]): void {
  const root = nodesDir(dataDir);
  mkdirSync(root, { recursive: true });
  const wanted = new Set<string>();
  for (const n of nodes) {
    const dir = join(root, n.mac);
    const owner = imageOwner(n.image);
    mkdirSync(join(dir, 'persist_dirs', owner), { recursive: true });
    wanted.add(n.mac);
    for (const alias of [n.mac.replace(/:/g, '-'), n.ip, n.name]) {
      if (!alias || alias === n.mac || alias.includes('/') || alias.startsWith('.')) continue;
      link(join(root, alias), n.mac);
      wanted.add(alias);
    }
    link(join(dir, 'fs'), n.imageRoot);
    link(join(dir, 'tftp'), join(n.imageRoot, 'boot', n.model));
    link(join(dir, 'persist'), n.persist ? join('persist_dirs', owner) : 'forbidden_dir');
  }
  for (const entry of readdirSync(root)) {
    if (wanted.has(entry)) continue;
    const p = join(root, entry);
    if (lstatSync(p).isSymbolicLink()) rmSync(p);
  }
}
