import type { RegistryConfig } from '../config/server-config.js';
import type { DeviceRegistry } from '../devices/device-registry.js';
import { NODE_LABEL, formatSentence, listNames } from '../devices/format-sentence.js';
import { conflict, invalid, notFound } from '../errors.js';
import type { LogService } from '../logs/log-service.js';
import { PLATFORM_USER } from '../nodes/node-ownership.js';
import { displayImageName, workingSetImage } from '../nodes/working-set-image.js';
import { normaliseImageName, parseClonableLink } from './clonable-link.js';
import { compactModels } from './compact-models.js';
import type { DefaultImages } from './default-images.js';
import type { ImageStore, ProgressSink, WaltImage } from './image-store.js';
import { registryRef, registryWhere } from './registry-location.js';
import { searchRegistry } from './registry-search.js';
import { UnavailableImageStore } from './unavailable-image-store.js';
import { UserDefaultClones } from './user-default-clones.js';

/** A row of `walt image show`. */
export interface ImageRow {
  user: string;
  /** Display name (`:latest` dropped). */
  name: string;
  fullname: string;
  inUse: boolean;
  /** Seconds since the epoch. */
  created: number;
  models: string[];
  /** Compact form, e.g. rpi-[3-b,4-b] (N/A when the label is missing). */
  compatibility: string;
  clonableLink: string;
  problems: string[];
}

export interface ImageListing {
  /** The user's working set. */
  images: ImageRow[];
  /** With --all: other users' images. */
  others: ImageRow[];
  /** With --all: the default images. */
  defaults: ImageRow[];
  /** What was done for the user (first show: default images cloned). */
  messages: string[];
}

export interface SearchRow {
  user: string;
  name: string;
  location: string;
  compatibility: string;
  clonableLink: string;
}

/**
 * `walt image ...` on behalf of a user: the working set is `<user>/*` in the store. Names are
 * checked first and nothing changes on a refusal.
 */
export class ImageService {
  private readonly userDefaults: UserDefaultClones;

  constructor(
    private readonly store: ImageStore,
    private readonly devices: DeviceRegistry,
    private readonly registries: RegistryConfig[],
    private readonly logs: LogService,
    private readonly defaults: DefaultImages,
  ) {
    this.userDefaults = new UserDefaultClones(store, devices);
  }

  /** Without an engine, every image command answers what to install. */
  private needEngine(): void {
    if (this.store instanceof UnavailableImageStore) throw this.store.error();
  }

  /** Nodes booting each image. */
  private usage(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const d of this.devices.all()) {
      if (d.type !== 'node' || !d.image) continue;
      out.set(d.image, [...(out.get(d.image) ?? []), d.name]);
    }
    return out;
  }

  private row(img: WaltImage, usage: Map<string, string[]>): ImageRow {
    return {
      user: img.user,
      name: displayImageName(img.fullname),
      fullname: img.fullname,
      inUse: usage.has(img.fullname),
      created: img.created,
      models: img.models,
      compatibility: compactModels(img.models),
      clonableLink: `walt:${img.user}/${displayImageName(img.fullname)}`,
      problems: img.problems ?? [],
    };
  }

  async show(user: string, options: { all?: boolean; refresh?: boolean } = {}): Promise<ImageListing> {
    this.needEngine();
    if (options.refresh) this.store.refresh?.();
    const all = await this.store.list({ check: true });
    // A new user's default images are listed, not copied: the copy is made at their first use.
    const pending = await this.userDefaults.pending(user, all);
    const usage = this.usage();
    const rows = [...all, ...pending.map((p) => ({ ...p.source, user, fullname: p.target }))].map((i) => this.row(i, usage));
    const isDefault = (r: ImageRow) => r.user === PLATFORM_USER && /-default(:|$)/.test(r.name);
    return {
      images: rows.filter((r) => r.user === user),
      others: options.all ? rows.filter((r) => r.user !== user && !isDefault(r)) : [],
      defaults: options.all ? rows.filter(isDefault) : [],
      messages: pending.map((p) => `${displayImageName(p.target)} is a default image for ${listNames(p.models)}: it is copied into your working set when you first use it.`),
    };
  }

  /** The user is about to use an image of their working set: make it theirs if it is a pending default. */
  async materialize(user: string, name: string): Promise<string[]> {
    const messages = await this.userDefaults.materialize(user, workingSetImage(user, name));
    for (const m of messages) this.logs.platform('images', `${user}: ${m}`);
    return messages;
  }

  private async own(user: string, name: string): Promise<WaltImage> {
    const fullname = workingSetImage(user, name);
    await this.materialize(user, name);
    const img = await this.store.get(fullname);
    if (!img) throw notFound(`No image named '${name}' in your working set (see 'walt image show').`);
    return img;
  }

  private refuseInUse(img: WaltImage, what: string): void {
    const nodes = this.usage().get(img.fullname);
    if (nodes?.length) {
      throw conflict(
        formatSentence(
          `Cannot ${what} ${displayImageName(img.fullname)}: %s {boots|boot} it (use 'walt node boot <nodes> <other-image>' first).`,
          nodes,
          NODE_LABEL,
        ),
      );
    }
  }

  private async free(user: string, name: string): Promise<string> {
    const fullname = workingSetImage(user, name);
    if (await this.store.get(fullname)) throw conflict(`Image '${name}' already exists in your working set (choose another name, or remove it first).`);
    return fullname;
  }

  async rename(user: string, name: string, newName: string): Promise<string> {
    this.needEngine();
    const target = await this.free(user, newName);
    const img = await this.own(user, name);
    this.refuseInUse(img, 'rename');
    await this.store.tag(img.fullname, target);
    try {
      await this.store.remove(img.fullname);
    } catch (e) {
      await this.store.remove(target).catch(() => undefined);
      throw e;
    }
    this.logs.platform('images', `image ${img.fullname} renamed to ${target}`);
    return `Image ${displayImageName(img.fullname)} was renamed to ${displayImageName(target)}.`;
  }

  async duplicate(user: string, name: string, newName: string): Promise<string> {
    this.needEngine();
    const target = await this.free(user, newName);
    const img = await this.own(user, name);
    await this.store.tag(img.fullname, target);
    return `Image ${displayImageName(img.fullname)} was duplicated as ${displayImageName(target)}.`;
  }

  async remove(user: string, name: string): Promise<string> {
    this.needEngine();
    const img = await this.own(user, name);
    this.refuseInUse(img, 'remove');
    await this.store.remove(img.fullname);
    this.logs.platform('images', `image ${img.fullname} removed`);
    return `Image ${displayImageName(img.fullname)} was removed.`;
  }

  private registry(label: string): RegistryConfig {
    const r = this.registries.find((x) => x.label === label);
    if (!r) throw invalid(`unknown registry '${label}' (configured: ${this.registries.map((x) => x.label).join(', ') || 'none'}; see 'registries:' in the server config)`);
    return r;
  }

  async clone(user: string, link: string, options: { name?: string; force?: boolean }, progress?: ProgressSink): Promise<string> {
    this.needEngine();
    const source = parseClonableLink(link);
    const sourceName = source.kind === 'docker' ? source.ref.slice(source.ref.lastIndexOf('/') + 1) : source.fullname.slice(source.fullname.indexOf('/') + 1);
    let name = options.name;
    if (!name) {
      name = normaliseImageName(sourceName.replace(/:latest$/, ''));
      if (name !== sourceName.replace(/:latest$/, '')) progress?.(`Note: the image will be named '${name}'.`);
    }
    const target = workingSetImage(user, name);
    const existing = await this.store.get(target);
    if (existing && !options.force) throw conflict(`Image '${name}' already exists in your working set (use --force to overwrite it).`);
    if (source.kind === 'walt') {
      if (!(await this.store.get(source.fullname))) throw notFound(`No image ${source.fullname} on this platform (see 'walt image show --all').`);
      await this.store.tag(source.fullname, target);
    } else if (source.kind === 'docker') {
      if (!(await this.store.engineImages()).some((i) => i.ref === source.ref || i.ref === `docker.io/${source.ref}` || i.ref === `${source.ref}:latest`)) {
        throw notFound(`No image ${source.ref} in the server's image engine (see 'walt image search').`);
      }
      await this.store.fetch(source.ref, target, 'the image engine', progress);
    } else {
      const r = this.registry(source.label);
      await this.store.fetch(registryRef(r, source.fullname), target, registryWhere(r), progress);
    }
    this.logs.platform('images', `image ${target} cloned from ${link}`);
    return `Image "${displayImageName(target)}" was cloned successfully (cf. walt image show).`;
  }

  async publish(user: string, name: string, registryLabel: string | undefined, progress?: ProgressSink): Promise<string> {
    this.needEngine();
    const img = await this.own(user, name);
    let r: RegistryConfig;
    if (!registryLabel || registryLabel === 'auto') {
      if (this.registries.length !== 1) {
        throw invalid(`several registries are configured (${this.registries.map((x) => x.label).join(', ')}): choose one with --registry <label>`);
      }
      r = this.registries[0];
    } else r = this.registry(registryLabel);
    await this.store.push(img.fullname, registryRef(r, img.fullname), registryWhere(r), progress);
    this.logs.platform('images', `image ${img.fullname} published to ${registryWhere(r)}`);
    return `OK, image was published at:\n${r.label}:${user}/${displayImageName(img.fullname)}`;
  }

  async search(keyword: string): Promise<{ results: SearchRow[]; warnings: string[] }> {
    const results: SearchRow[] = [];
    const warnings: string[] = [];
    const add = (location: string, linkPrefix: string, fullname: string, models: string[]) => {
      const slash = fullname.indexOf('/');
      const short = fullname.replace(/:latest$/, '');
      results.push({ user: fullname.slice(0, slash), name: short.slice(slash + 1), location, compatibility: compactModels(models), clonableLink: `${linkPrefix}:${short}` });
    };
    try {
      for (const img of await this.store.engineImages()) {
        if (img.models.length && img.ref.includes(keyword)) add('docker daemon', 'docker', img.ref, img.models);
      }
    } catch (e) {
      warnings.push(`image engine: ${(e as Error).message}`);
    }
    for (const r of this.registries) {
      try {
        for (const img of await searchRegistry(r, keyword)) add(r.description ?? registryWhere(r), r.label, img.fullname, img.models);
      } catch (e) {
        warnings.push(`${registryWhere(r)}: ${(e as Error).message}`);
      }
    }
    return { results, warnings };
  }

  /**
   * `walt advanced update-default-images`: download again the default image of every model present
   * (and of the default images already local), from the first registry that has it.
   */
  async updateDefaultImages(progress?: ProgressSink): Promise<string[]> {
    this.needEngine();
    const images = new Set<string>();
    for (const d of this.devices.all()) if (d.type === 'node' && d.model) images.add(this.devices.defaultImageOf(d.model));
    for (const img of await this.store.list()) if (img.user === PLATFORM_USER && /-default$/.test(img.name)) images.add(img.fullname);
    const messages: string[] = [];
    for (const image of [...images].sort()) {
      const before = await this.store.get(image);
      const errors: string[] = [];
      let done = false;
      for (const r of this.registries) {
        progress?.(`Checking ${image} on ${registryWhere(r)}...`);
        try {
          const after = await this.store.fetch(registryRef(r, image), image, registryWhere(r), progress);
          messages.push(before?.id === after.id ? `${image}: already up to date (${registryWhere(r)}).` : `${image}: updated from ${registryWhere(r)}.`);
          this.defaults.markLocal(image);
          done = true;
          break;
        } catch (e) {
          errors.push((e as Error).message);
        }
      }
      if (!done) messages.push(`${image}: not updated (${errors.join('; ') || 'no registry configured'}).`);
      else this.logs.platform('images', messages[messages.length - 1]);
    }
    if (!images.size) messages.push('No default images to update (no node detected yet).');
    return messages;
  }
}

