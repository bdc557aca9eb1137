import { lstat, mkdir, readdir, readlink, rm, symlink, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { imageOwner, nodesDir, type ExportedNode } from './nfs-export-plan.js';

/** Make `path` a symlink to `target`, replacing a different link; never touches real folders. */
async function link(path: string, target: string): Promise<void> {
  try {
    const st = await lstat(path);
    if (!st.isSymbolicLink()) return;
    if ((await readlink(path)) === target) return;
    await unlink(path);
  } catch {
    /* absent */
  }
  await symlink(target, path);
}

/**
 * The per-node tree (reference section 5.1) under `<data dir>/nodes`: a real folder per MAC, and
 * links to it by IP, name and dashed MAC (nodes mount `<server>:<nodes>/<ip>/fs` and
 * `<nodes>/<name>/persist`). `<mac>/fs` and `<mac>/tftp` point into the image's view (absolute:
 * views live outside the data dir), `<mac>/persist` to the persist folder of the image's owner, or
 * to the absent `forbidden_dir` when mount.persist is false. Links of nodes that are gone are
 * removed; MAC folders stay, they hold persistent data.
 *
 * Asynchronous (libuv's thread pool): with hundreds of nodes it is thousands of file-system calls,
 * and on a busy disk they took seconds; made on the main thread, they stopped DHCP for as long, in
 * the middle of a boot storm (docs/decisions/0012-performance-on-a-busy-machine.md).
 */
export async function syncNodeTree(dataDir: string, nodes: readonly ExportedNode[]): Promise<void> {
  const root = nodesDir(dataDir);
  await mkdir(root, { recursive: true });
  const wanted = new Set<string>();
  for (const n of nodes) {
    const dir = join(root, n.mac);
    const owner = imageOwner(n.image);
    await mkdir(join(dir, 'persist_dirs', owner), { recursive: true });
    wanted.add(n.mac);
    for (const alias of [n.mac.replace(/:/g, '-'), n.ip, n.name]) {
      if (!alias || alias === n.mac || alias.includes('/') || alias.startsWith('.')) continue;
      await link(join(root, alias), n.mac);
      wanted.add(alias);
    }
    await link(join(dir, 'fs'), n.imageRoot);
    await link(join(dir, 'tftp'), join(n.imageRoot, 'boot', n.model));
    await link(join(dir, 'persist'), n.persist ? join('persist_dirs', owner) : 'forbidden_dir');
  }
  for (const entry of await readdir(root)) {
    if (wanted.has(entry)) continue;
    const p = join(root, entry);
    if ((await lstat(p)).isSymbolicLink()) await rm(p);
  }
}
