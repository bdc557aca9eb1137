import { createHash } from 'node:crypto';
import { join } from 'node:path';

/** A node as the exports see it. */
export interface ExportedNode {
  mac: string;
  ip: string | null;
  name: string;
  model: string;
  image: string;
  /** Root filesystem of its image (the mounted view). */
  imageRoot: string;
  /** `mount.persist` (default true): false points /persist to a folder that does not exist. */
  persist: boolean;
}

export interface NfsExport {
  path: string;
  access: 'ro' | 'rw';
  /** Stable filesystem id (image exports), so a re-export keeps client file handles valid. */
  fsid?: string;
  comment: 'nodes' | 'image' | 'persist';
  /**
   * The paths nodes mount this export at (`/var/lib/walt/nodes/<mac>/fs` is written in the images'
   * boot scripts). The kernel server finds them through the node tree's symlinks (data dir
   * /var/lib/walt); nfs-ganesha presents each one as a pseudo path, whatever the data dir.
   */
  nodePaths?: string[];
}

/** Where images' boot scripts look for a node's tree on the server (walt-image-contract.md §2). */
export const NODE_EXPORT_ROOT = '/var/lib/walt/nodes';

/** The owner of an image: its user part (`<owner>/<name>:<tag>`), as `split_part(image,'/',1)`. */
export function imageOwner(image: string): string {
  return image.split('/')[0];
}

export function nodesDir(dataDir: string): string {
  return join(dataDir, 'nodes');
}

/** `<data dir>/nodes/<mac>/persist_dirs/<owner>`: per node, per image owner, read-write. */
export function persistDir(dataDir: string, mac: string, owner: string): string {
  return join(nodesDir(dataDir), mac, 'persist_dirs', owner);
}

/** fsid of an image export: 32 hex chars, stable for a given image root. */
export function imageFsid(imageRoot: string): string {
  return createHash('sha256').update(imageRoot).digest('hex').slice(0, 32);
}

/**
 * What to export (reference section 3.1): the per-node tree read-only (NFSv4 clients read its
 * symlinks), each image root read-only, and each node's persist folder of its image's owner
 * read-write. Sorted, so the generated files only change when the platform does.
 */
export function planExports(dataDir: string, nodes: readonly ExportedNode[]): NfsExport[] {
  const out: NfsExport[] = [{ path: nodesDir(dataDir), access: 'ro', comment: 'nodes' }];
  const roots = [...new Set(nodes.map((n) => n.imageRoot))].sort();
  const macsOf = (root: string) => nodes.filter((n) => n.imageRoot === root).map((n) => n.mac).sort();
  for (const root of roots) out.push({ path: root, access: 'ro', fsid: imageFsid(root), comment: 'image', nodePaths: macsOf(root).map((m) => `${NODE_EXPORT_ROOT}/${m}/fs`) });
  const persist = nodes
    .map((n) => ({ path: persistDir(dataDir, n.mac, imageOwner(n.image)), mac: n.mac }))
    .sort((a, b) => (a.path < b.path ? -1 : 1));
  for (const { path, mac } of persist) out.push({ path, access: 'rw', comment: 'persist', nodePaths: [`${NODE_EXPORT_ROOT}/${mac}/persist`] });
  return out;
}
