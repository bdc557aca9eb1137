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
  /**
   * The paths of nodes that booted this image and were given another one less than the export
   * grace ago: they run on it until they reboot, through the file handles they hold (nfs-ganesha
   * keeps the export these handles name, under another pseudo path; the kernel server only needs
   * the image still exported).
   */
  previousNodePaths?: string[];
}

/** A node's former root, exported until `until` (ms since the epoch) so that the running node keeps working on it. */
export interface PreviousNodeRoot {
  mac: string;
  /** The image's name (its owner's persist folder was the node's /persist). */
  image: string;
  imageRoot: string;
  until: number;
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

/** The path a node mounts its root at (written in the images' boot scripts). */
export function nodeRootPath(mac: string): string {
  return `${NODE_EXPORT_ROOT}/${mac}/fs`;
}

/**
 * What to export (reference section 3.1): the per-node tree read-only (NFSv4 clients read its
 * symlinks), each image root read-only (also the former roots of nodes given another image, for
 * their grace), and each node's persist folder of its image's owner read-write. Sorted, so the
 * generated files only change when the platform does.
 */
export function planExports(dataDir: string, nodes: readonly ExportedNode[], previous: readonly PreviousNodeRoot[] = []): NfsExport[] {
  const out: NfsExport[] = [{ path: nodesDir(dataDir), access: 'ro', comment: 'nodes' }];
  const roots = [...new Set([...nodes.map((n) => n.imageRoot), ...previous.map((p) => p.imageRoot)])].sort();
  const macsOf = (root: string) => nodes.filter((n) => n.imageRoot === root).map((n) => n.mac).sort();
  const previousMacsOf = (root: string) => [...new Set(previous.filter((p) => p.imageRoot === root).map((p) => p.mac))].sort();
  for (const root of roots) {
    const previousNodePaths = previousMacsOf(root).map(nodeRootPath);
    out.push({ path: root, access: 'ro', fsid: imageFsid(root), comment: 'image', nodePaths: macsOf(root).map(nodeRootPath), ...(previousNodePaths.length ? { previousNodePaths } : {}) });
  }
  const persist = new Map<string, NfsExport>();
  for (const n of nodes) {
    const path = persistDir(dataDir, n.mac, imageOwner(n.image));
    persist.set(path, { path, access: 'rw', comment: 'persist', nodePaths: [`${NODE_EXPORT_ROOT}/${n.mac}/persist`] });
  }
  // A node whose image owner changed kept its former /persist too (when its owner's folder was another one).
  for (const p of previous) {
    const path = persistDir(dataDir, p.mac, imageOwner(p.image));
    if (!persist.has(path)) persist.set(path, { path, access: 'rw', comment: 'persist', nodePaths: [], previousNodePaths: [`${NODE_EXPORT_ROOT}/${p.mac}/persist`] });
  }
  out.push(...[...persist.values()].sort((a, b) => (a.path < b.path ? -1 : 1)));
  return out;
}
