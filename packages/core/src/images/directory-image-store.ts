import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WaltError } from '../errors.js';
import { exportBeneath, importBeneath } from './confined-archive.js';
import { hostPathBeneath } from './open-beneath.js';
import { parseImageFullname, type ImageStore, type ImageView, type WaltImage } from './image-store.js';

/** Metadata of an image kept as a folder: what an OCI image's labels say. */
interface ImageMeta {
  models?: string[];
  created?: number;
  preferredName?: string;
}

/**
 * Images kept as unpacked folders: `<dir>/<user>/<name>/<tag>/rootfs/` plus `image.json` (models,
 * creation time). For offline labs and for tests that need real image files without an OCI engine;
 * the engine-backed store is the default in production.
 */
export class DirectoryImageStore implements ImageStore {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  async available(): Promise<boolean> {
    return existsSync(this.dir);
  }

  private folder(fullname: string): string {
    const p = parseImageFullname(fullname);
    if (!p) throw new WaltError('invalid-image-name', `invalid image name '${fullname}' (expected <user>/<name>[:<tag>])`);
    return join(this.dir, p.user, p.name, p.tag);
  }

  private read(fullname: string): WaltImage | undefined {
    const p = parseImageFullname(fullname);
    if (!p) return undefined;
    const folder = join(this.dir, p.user, p.name, p.tag);
    if (!existsSync(join(folder, 'rootfs'))) return undefined;
    const { meta, problem } = readImageMeta(join(folder, 'image.json'));
    return {
      fullname: `${p.user}/${p.name}:${p.tag}`,
      ...p,
      id: Buffer.from(`${p.user}/${p.name}:${p.tag}`).toString('hex').slice(0, 64),
      created: meta.created ?? statSync(folder).mtimeMs / 1000,
      models: meta.models ?? [],
      preferredName: meta.preferredName,
      problems: problem
        ? [problem]
        : meta.models?.length
          ? meta.models.filter((m) => !hostPathBeneath(join(folder, 'rootfs'), `boot/${m}`, true)).map((m) => `no /boot/${m}/`)
          : ['no walt.node.models label'],
    };
  }

  async list(): Promise<WaltImage[]> {
    const out: WaltImage[] = [];
    const dirs = (d: string) => (existsSync(d) ? readdirSync(d).filter((e) => statSync(join(d, e)).isDirectory()) : []);
    for (const user of dirs(this.dir)) {
      for (const name of dirs(join(this.dir, user))) {
        for (const tag of dirs(join(this.dir, user, name))) {
          const img = this.read(`${user}/${name}:${tag}`);
          if (img) out.push(img);
        }
      }
    }
    return out.sort((a, b) => a.fullname.localeCompare(b.fullname));
  }

  async get(fullname: string): Promise<WaltImage | undefined> {
    return this.read(fullname);
  }

  async pull(fullname: string): Promise<WaltImage> {
    const img = this.read(fullname);
    if (!img) throw new WaltError('image-not-found', `image ${fullname} is not in the image folder ${this.dir}`, 404);
    return img;
  }

  async tag(source: string, target: string): Promise<WaltImage> {
    const from = this.folder(source);
    if (!this.read(source)) throw new WaltError('image-not-found', `no such image '${source}'`, 404);
    const to = this.folder(target);
    rmSync(to, { recursive: true, force: true });
    mkdirSync(to, { recursive: true });
    cpSync(from, to, { recursive: true, verbatimSymlinks: true });
    return this.read(target)!;
  }

  async remove(fullname: string): Promise<void> {
    rmSync(this.folder(fullname), { recursive: true, force: true });
  }

  async acquireView(fullname: string): Promise<ImageView> {
    const img = this.read(fullname);
    if (!img) throw new WaltError('image-not-found', `no such image '${fullname}'`, 404);
    return { root: join(this.folder(fullname), 'rootfs'), release: () => undefined };
  }

  fetch(): never {
    throw new WaltError('unsupported', `images come from the folder ${this.dir} (images.directory): registries need an image engine (unset images.directory and run podman)`, 501);
  }

  push(): never {
    throw new WaltError('unsupported', `images come from the folder ${this.dir} (images.directory): publishing needs an image engine (unset images.directory and run podman)`, 501);
  }

  async engineImages() {
    return [];
  }

  async exportArchive(fullname: string, path: string): Promise<NodeJS.ReadableStream> {
    if (!this.read(fullname)) throw new WaltError('image-not-found', `no such image '${fullname}'`, 404);
    const tar = exportBeneath(join(this.folder(fullname), 'rootfs'), path);
    if (!tar) throw new WaltError('not-found', `no such file or directory in image ${fullname}: ${path}`, 404);
    return tar;
  }

  async importArchive(fullname: string, path: string, tar: NodeJS.ReadableStream): Promise<WaltImage> {
    if (!this.read(fullname)) throw new WaltError('image-not-found', `no such image '${fullname}'`, 404);
    const folder = this.folder(fullname);
    if (!(await importBeneath(join(folder, 'rootfs'), path, folder, tar, `${fullname}:${path}`))) {
      throw new WaltError('not-found', `no directory ${path} in image ${fullname} (copy to an existing directory)`, 404);
    }
    return this.read(fullname)!;
  }

  async close(): Promise<void> {}

  /** Create an image folder (for tests and for `walt image` imports): files relative to the root. */
  static writeImage(dir: string, fullname: string, files: Record<string, string | Buffer>, meta: ImageMeta = {}): void {
    const p = parseImageFullname(fullname);
    if (!p) throw new Error(`invalid image name ${fullname}`);
    const folder = join(dir, p.user, p.name, p.tag);
    for (const [path, content] of Object.entries(files)) {
      const file = join(folder, 'rootfs', path);
      mkdirSync(join(file, '..'), { recursive: true });
      writeFileSync(file, content);
    }
    mkdirSync(join(folder, 'rootfs'), { recursive: true });
    writeFileSync(join(folder, 'image.json'), JSON.stringify({ created: Date.now() / 1000, ...meta }));
  }
}

/**
 * An image folder's image.json (documented in new-node-support): absent means no metadata; a file
 * that is not what the doc describes gives no metadata and one line saying what is wrong with it.
 */
export function readImageMeta(file: string): { meta: ImageMeta; problem?: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') return { meta: {} };
    return { meta: {}, problem: `image.json: ${err.code ? `cannot read it (${err.code})` : `not JSON (${err.message.split('\n')[0]})`}` };
  }
  const bad = (why: string) => ({ meta: {}, problem: `image.json: ${why}` });
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return bad('not a JSON object');
  const r = raw as Record<string, unknown>;
  if (r.models !== undefined && !(Array.isArray(r.models) && r.models.every((m) => typeof m === 'string' && /^[a-z0-9-]+$/.test(m)))) {
    return bad('"models" must be an array of model ids (lowercase letters, digits and -)');
  }
  if (r.created !== undefined && !(typeof r.created === 'number' && Number.isFinite(r.created))) return bad('"created" must be a number of seconds since 1970');
  if (r.preferredName !== undefined && typeof r.preferredName !== 'string') return bad('"preferredName" must be a string');
  return { meta: { models: r.models as string[] | undefined, created: r.created as number | undefined, preferredName: r.preferredName as string | undefined } };
}
