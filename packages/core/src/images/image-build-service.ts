import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DeviceRegistry } from '../devices/device-registry.js';
import { NODE_LABEL, formatSentence } from '../devices/format-sentence.js';
import { WaltError, notFound } from '../errors.js';
import type { LogService } from '../logs/log-service.js';
import type { NodeImageResult } from '../nodes/node-image-service.js';
import { displayImageName, workingSetImage } from '../nodes/working-set-image.js';
import { cloneContext, qualifyRecipe, requireRecipe, subDirectory } from './build-context.js';
import type { ImageStore, ProgressSink, WaltImage } from './image-store.js';
import { UnavailableImageStore } from './unavailable-image-store.js';

/** Reboot the nodes booting an image whose content changed (NodeImageService.imageReplaced). */
export type ReplacedImageReboot = (fullname: string) => Promise<NodeImageResult>;

/** What a build or squash tells the user. */
export interface ImageWorkResult {
  messages: string[];
  /** Reboot lines of the nodes using the image (the failures have ok false). */
  reboot?: { lines: string[]; ok: boolean };
}

/** An answer that needs the user's yes first (overwrite, nodes to reboot). */
export interface NeedsConfirm {
  needsConfirm: true;
  message: string;
}

/**
 * `walt image build` and `walt image squash` on behalf of a user: a build context is a directory of
 * the server (unpacked from the client's tar, or cloned), built by the engine and checked before it
 * takes the user's image name; the nodes booting a replaced image reboot onto the new version.
 */
export class ImageBuildService {
  constructor(
    private readonly store: ImageStore,
    private readonly devices: DeviceRegistry,
    private readonly logs: LogService,
    private readonly dataDir: string,
    private readonly rebootReplaced: ReplacedImageReboot,
  ) {}

  private needBuilds(what: 'build' | 'squash', command = `walt image ${what}`): void {
    if (this.store instanceof UnavailableImageStore) throw this.store.error();
    if (!this.store[what]) throw new WaltError('unsupported', `${command} needs an image engine (images.engine-socket), not an image folder`, 501);
  }

  private nodesUsing(fullname: string): string[] {
    return this.devices
      .all()
      .filter((d) => d.type === 'node' && d.image === fullname)
      .map((d) => d.name);
  }

  /** The overwrite question of the original, when the name is taken (with the nodes that would reboot). */
  async overwriteQuestion(user: string, name: string): Promise<NeedsConfirm | undefined> {
    // Asked before the client sends its directory (image build) or the node its changes (node save):
    // with no engine at all, say so now. (An image folder: the build or save says why it cannot.)
    if (this.store instanceof UnavailableImageStore) throw this.store.error();
    const fullname = workingSetImage(user, name);
    if (!(await this.store.get(fullname))) return undefined;
    const nodes = this.nodesUsing(fullname);
    const reboot = nodes.length ? ` (and ${formatSentence('reboot %s', nodes, NODE_LABEL)})` : '';
    return { needsConfirm: true, message: `Image ${name} already exists in your working set: this would overwrite it${reboot}.` };
  }

  /** A fresh directory for a build context; the caller removes it (`discard`). */
  newContextDir(): { dir: string; discard: () => void } {
    const parent = join(this.dataDir, 'image-builds');
    mkdirSync(parent, { recursive: true });
    const dir = mkdtempSync(join(parent, 'ctx-'));
    return { dir, discard: () => rmSync(dir, { recursive: true, force: true }) };
  }

  /** `--from-url`: clone, then build. */
  async buildFromUrl(user: string, name: string, url: string, subDir: string | undefined, progress?: ProgressSink): Promise<ImageWorkResult> {
    this.needBuilds('build');
    workingSetImage(user, name);
    const { dir, discard } = this.newContextDir();
    try {
      const clone = join(dir, 'repo');
      await cloneContext(url, clone, progress);
      const where = subDir ? `sub-directory '${subDir.replace(/^\/+|\/+$/g, '')}' of ${url}` : `repository ${url}`;
      return await this.buildFromDir(user, name, subDirectory(clone, subDir), where, progress);
    } finally {
      discard();
    }
  }

  /** Build the context in `dir` (`where` names it in errors) as the user's image `name`. */
  async buildFromDir(user: string, name: string, dir: string, where: string, progress?: ProgressSink): Promise<ImageWorkResult> {
    this.needBuilds('build');
    const target = workingSetImage(user, name);
    progress?.('** Verifying the build directory');
    const recipe = requireRecipe(dir, where);
    const own = new Set((await this.store.list()).filter((i) => i.user === user).map((i) => i.name));
    qualifyRecipe(recipe, user, (image) => own.has(image.replace(/:latest$/, '')));
    return this.buildRecipe(user, target, dir, { progress, engineOutput: true });
  }

  /**
   * `walt node save`: as the original, the node's changes (a tar written to the file given to
   * `dumpChanges`) added on top of the image the node booted, the result checked as any build.
   */
  async saveNodeChanges(user: string, name: string, node: { name: string; image: string }, dumpChanges: (tarFile: string) => Promise<void>, progress?: ProgressSink): Promise<ImageWorkResult> {
    this.needBuilds('build', 'walt node save');
    const target = workingSetImage(user, name);
    if (!(await this.store.get(node.image))) {
      throw new WaltError('image-missing', `${node.name} booted image ${displayImageName(node.image)}, which is no longer on the server: its changes cannot be saved`, 409);
    }
    const { dir, discard } = this.newContextDir();
    try {
      progress?.(`** Analysing changes made on ${node.name}`);
      await dumpChanges(join(dir, 'changes.tar'));
      // The engine's own name of the node's image (localhost/<user>/<name>:<tag>, as qualifyRecipe writes it).
      writeFileSync(join(dir, 'Dockerfile'), `FROM localhost/${node.image}\nADD changes.tar /\n`);
      // The engine's output is left out, as the original's build --silent: the user saves, not builds.
      return await this.buildRecipe(user, target, dir, { progress, engineOutput: false, done: `Image ${name} was saved from the changes made on ${node.name}.` });
    } finally {
      discard();
    }
  }

  /** Build the context's Dockerfile as `target`, check it can boot, and reboot the nodes of the image it replaces. */
  private async buildRecipe(user: string, target: string, dir: string, o: { progress?: ProgressSink; engineOutput: boolean; done?: string }): Promise<ImageWorkResult> {
    const progress = o.progress;
    const existed = await this.store.get(target);
    progress?.('** Building the image');
    const accept = async (built: WaltImage) => {
      progress?.('** Verifying the image');
      if (!built.models.length) {
        throw new WaltError('not-bootable', "the image has no label walt.node.models: add 'LABEL walt.node.models=<model>[,<model>...]' to the Dockerfile (see 'walt help show image-build')", 422);
      }
      const problems = built.problems ?? [];
      const bootable = built.models.filter((m) => !problems.includes(`no /boot/${m}/`));
      if (!bootable.length) {
        throw new WaltError('not-bootable', `the image cannot boot any of its models (${problems.join(', ')}): it was not saved`, 422);
      }
    };
    const img = await this.store.build!(dir, target, accept, o.engineOutput ? progress : undefined);
    this.logs.platform('images', `image ${img.fullname} built by ${user}`);
    const result: ImageWorkResult = { messages: [o.done ?? `Image ${displayImageName(img.fullname)} was built successfully.`] };
    if (existed && existed.id !== img.id) this.addReboot(result, await this.rebootReplaced(img.fullname));
    return result;
  }

  /** `walt image squash`: asks first when nodes use the image (they reboot). */
  async squash(user: string, name: string, confirmed: boolean): Promise<ImageWorkResult | NeedsConfirm> {
    this.needBuilds('squash');
    const fullname = workingSetImage(user, name);
    const img = await this.store.get(fullname);
    if (!img) throw notFound(`No image named '${name}' in your working set (see 'walt image show').`);
    const nodes = this.nodesUsing(fullname);
    if (nodes.length && !confirmed) {
      return { needsConfirm: true, message: formatSentence('This operation would reboot %s currently using the image.', nodes, NODE_LABEL) };
    }
    const after = await this.store.squash!(fullname);
    this.logs.platform('images', `image ${fullname} squashed by ${user}`);
    const result: ImageWorkResult = { messages: ['Image was squashed successfully.'] };
    if (after.id !== img.id) this.addReboot(result, await this.rebootReplaced(fullname));
    return result;
  }

  private addReboot(result: ImageWorkResult, reboot: NodeImageResult): void {
    result.messages.push(...reboot.messages);
    if (reboot.reboot) result.reboot = reboot.reboot;
  }
}
