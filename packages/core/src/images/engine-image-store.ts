import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type Docker from 'dockerode';
import type { RegistryConfig } from '../config/server-config.js';
import { WaltError, conflict } from '../errors.js';
import { EngineConnection } from './engine-connection.js';
import { parseImageFullname, type EngineImage, type ImageStore, type ImageView, type ProgressSink, type ShellContainer, type WaltImage } from './image-store.js';
import { EngineShellContainer } from './engine-shell-container.js';
import { addNodeFiles, type NodeFilesEnv } from './node-files.js';
import { pathInRoot } from './path-in-root.js';
import { registryRef, registryWhere } from './registry-location.js';
import { ViewCache, type MountedView } from './view-cache.js';

/** WalT images live in the engine as `localhost/<user>/<name>:<tag>`. */
const LOCAL = 'localhost/';
const MODELS_LABEL = 'walt.node.models';
const PREFERRED_NAME_LABEL = 'walt.image.preferred-name';
/** Containers that hold a view carry these labels (owner: the server's data dir). */
const VIEW_LABEL = 'walt.view';
const VIEW_OWNER_LABEL = 'walt.view.owner';
/** How long get() trusts what it saw (names changed through the store are forgotten at once). */
const KNOWN_TTL_MS = 5_000;

export interface EngineImageStoreOptions {
  socketPath: string;
  /** Where pull() looks for images the engine does not have, in order. */
  registries: RegistryConfig[];
  /** The server's data dir: views are mounted or unpacked under <dataDir>/image-views/. */
  dataDir: string;
  /** How long an unused view stays mounted (the original: 60 s). */
  viewGraceMs: number;
  /** What the node scripts added to views need to know (the image id is filled in per view). */
  nodeFiles: Omit<NodeFilesEnv, 'imageId'>;
  log?: (line: string, error?: boolean) => void;
}

/** ref → [repository, tag]. */
function splitRef(ref: string): [string, string] {
  const colon = ref.lastIndexOf(':');
  return colon > ref.lastIndexOf('/') ? [ref.slice(0, colon), ref.slice(colon + 1)] : [ref, 'latest'];
}

function models(labels: Record<string, string> | null | undefined): string[] {
  const raw = labels?.[MODELS_LABEL];
  return raw ? raw.split(',').map((m) => m.trim()).filter(Boolean) : [];
}

/** The useful end of an engine error: "…: manifest unknown: manifest unknown" → "manifest unknown". */
export function shortEngineError(message: string): string {
  const parts = message.split(/:\s+/).map((p) => p.trim()).filter(Boolean);
  const last = parts[parts.length - 1] ?? message;
  return last.length < 12 && parts.length > 1 ? parts.slice(-2).join(': ') : last;
}

function progressLine(ev: { status?: string; id?: string; progress?: string; stream?: string }): string | undefined {
  if (ev.stream) return ev.stream.trimEnd() || undefined;
  if (!ev.status) return undefined;
  return `${ev.id ? ev.id + ': ' : ''}${ev.status}${ev.progress ? ' ' + ev.progress : ''}`;
}

/**
 * The ImageStore over a Docker or Podman engine (dockerode). Pulls are deduplicated per image and
 * leave nothing behind on failure; views are engine mounts (Podman: a created container's overlay,
 * with the node files in its writable layer) or, on Docker, an export unpacked in the data dir.
 */
export class EngineImageStore implements ImageStore {
  readonly engine: EngineConnection;
  private readonly pulls = new Map<string, { promise: Promise<WaltImage>; sinks: Set<ProgressSink> }>();
  private readonly views: ViewCache;
  private readonly problems = new Map<string, string[]>();
  private readonly known = new Map<string, { img: WaltImage; at: number }>();
  private readonly housekeeping = new Set<Promise<void>>();
  /** Layer directories of images (from the inspect that followed their pull), by image id. */
  private readonly layers = new Map<string, Docker.ImageInspectInfo['GraphDriver'] | undefined>();
  private cleaned?: Promise<void>;

  constructor(private readonly options: EngineImageStoreOptions) {
    this.engine = new EngineConnection(options.socketPath);
    this.views = new ViewCache(options.viewGraceMs, (key, e) => this.log(`cannot unmount the view of image ${key.slice(0, 12)}: ${(e as Error).message}`, true));
  }

  private log(line: string, error = false): void {
    this.options.log?.(line, error);
  }

  available(): Promise<boolean> {
    return this.engine.answers();
  }

  private docker(): Promise<Docker> {
    return this.engine.ready();
  }

  async list(options: { check?: boolean } = {}): Promise<WaltImage[]> {
    const docker = await this.docker();
    const out: WaltImage[] = [];
    for (const info of await docker.listImages()) {
      for (const t of info.RepoTags ?? []) {
        const img = this.toWaltImage(t, info.Id, info.Created, info.Labels);
        if (img) out.push(img);
      }
    }
    if (options.check) for (const img of out) img.problems = await this.check(img);
    return out.sort((a, b) => a.fullname.localeCompare(b.fullname));
  }

  private toWaltImage(repoTag: string, id: string, created: number, labels: Record<string, string> | null | undefined): WaltImage | undefined {
    if (!repoTag.startsWith(LOCAL)) return undefined;
    const p = parseImageFullname(repoTag.slice(LOCAL.length));
    if (!p) return undefined;
    const cleanId = id.replace(/^sha256:/, '');
    return {
      fullname: `${p.user}/${p.name}:${p.tag}`,
      ...p,
      id: cleanId,
      created,
      models: models(labels),
      ...(labels?.[PREFERRED_NAME_LABEL] ? { preferredName: labels[PREFERRED_NAME_LABEL] } : {}),
      ...(this.problems.has(cleanId) ? { problems: this.problems.get(cleanId) } : {}),
    };
  }

  /** Inspect an engine reference; undefined when the engine does not have it. */
  private async inspect(ref: string): Promise<Docker.ImageInspectInfo | undefined> {
    const docker = await this.docker();
    try {
      return await docker.getImage(ref).inspect();
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode === 404) return undefined;
      throw this.engine.gone(e) ?? e;
    }
  }

  async get(fullname: string): Promise<WaltImage | undefined> {
    const p = parseImageFullname(fullname);
    if (!p) return undefined;
    const full = `${p.user}/${p.name}:${p.tag}`;
    // Every TFTP file of a booting node asks for its image: a few seconds of memory spare the engine.
    const cached = this.known.get(full);
    if (cached && Date.now() - cached.at < KNOWN_TTL_MS) return { ...cached.img, ...(this.problems.has(cached.img.id) ? { problems: this.problems.get(cached.img.id) } : {}) };
    const info = await this.inspect(LOCAL + full);
    if (!info) {
      this.known.delete(full);
      return undefined;
    }
    const img = this.toWaltImage(LOCAL + full, info.Id, Math.floor(Date.parse(info.Created) / 1000), info.Config?.Labels);
    if (img) this.known.set(full, { img, at: Date.now() });
    return img;
  }

  /** Forget what get() remembers of an image name (it changed through this store). */
  private changed(full: string): void {
    this.known.delete(full);
  }

  /** Make the image local: the engine under another name, else each configured registry in turn. */
  pull(fullname: string, onProgress?: ProgressSink): Promise<WaltImage> {
    const p = parseImageFullname(fullname);
    if (!p) return Promise.reject(new WaltError('invalid-image-name', `invalid image name '${fullname}' (expected <user>/<name>[:<tag>])`));
    const full = `${p.user}/${p.name}:${p.tag}`;
    let entry = this.pulls.get(full);
    if (!entry) {
      const sinks = new Set<ProgressSink>();
      const promise = this.pullOnce(full, (line) => sinks.forEach((s) => s(line))).finally(() => this.pulls.delete(full));
      entry = { promise, sinks };
      this.pulls.set(full, entry);
    }
    if (onProgress) {
      const sinks = entry.sinks;
      sinks.add(onProgress);
      void entry.promise.finally(() => sinks.delete(onProgress)).catch(() => undefined);
    }
    return entry.promise;
  }

  private async pullOnce(full: string, progress: ProgressSink): Promise<WaltImage> {
    // Taken from the engine when it has the image under another name (docker.io/..., a registry's).
    const alts = [`docker.io/${full}`, full];
    const refs = this.options.registries.map((r) => registryRef(r, full));
    const [local, ...found] = await Promise.all([this.get(full), ...[...alts, ...refs].map((a) => this.inspect(a).catch(() => undefined))]);
    if (local) return local;
    const alt = alts.find((_, i) => found[i]);
    if (alt) {
      await this.tagRef(alt, LOCAL + full);
      const img = await this.get(full);
      if (img) return img;
    }
    const errors: string[] = [];
    for (const [i, r] of this.options.registries.entries()) {
      const ref = refs[i];
      progress(`Pulling ${full} from ${registryWhere(r)}...`);
      try {
        return await this.fetchRef(ref, full, progress, !!found[alts.length + i], true);
      } catch (e) {
        errors.push(`${registryWhere(r)}: ${shortEngineError((e as Error).message)}`);
      }
    }
    if (!errors.length) throw new WaltError('pull-failed', `cannot download ${full}: no registry is configured (see 'registries:' in the server config)`, 502);
    throw new WaltError('pull-failed', `cannot download ${full}: ${errors.join('; ')}`, 502);
  }

  /**
   * Pull `ref` (unless the engine has it), name it `localhost/<target>`, and drop the pulled name
   * again when we added it: a failure at any step leaves no new name behind.
   */
  private async fetchRef(ref: string, target: string, progress: ProgressSink, known?: boolean, warm = false): Promise<WaltImage> {
    const had = known ?? !!(await this.inspect(ref));
    if (!had) await this.pullRef(ref, progress);
    const info = await this.inspect(ref);
    if (!info) throw new Error(`the engine has no ${ref} after pulling it`);
    const img = this.toWaltImage(LOCAL + target, info.Id, Math.floor(Date.parse(info.Created) / 1000), info.Config?.Labels)!;
    this.layers.set(img.id, info.GraphDriver);
    // A pulled default image is about to be booted: mount its view now, while it is being named
    // (then it waits for its first node in its grace period).
    if (warm) {
      void this.views.acquire(img.id, () => this.mount(img)).then(
        (v) => v.release(),
        () => undefined,
      );
    }
    try {
      await this.tagRef(ref, LOCAL + target);
    } catch (e) {
      if (!had) await this.untag(ref);
      throw e;
    }
    // The registry's name was only a step: WalT's name holds the image now. Dropping it is off the
    // boot path (a node waits for this pull); idle() and close() wait for it.
    if (!had) this.inBackground(this.untag(ref));
    this.known.set(target, { img, at: Date.now() });
    return img;
  }

  private async pullRef(ref: string, progress: ProgressSink): Promise<void> {
    const docker = await this.docker();
    const stream = await docker.pull(ref);
    await this.follow(docker, stream, progress);
  }

  private follow(docker: Docker, stream: NodeJS.ReadableStream, progress: ProgressSink): Promise<void> {
    return new Promise((resolve, reject) => {
      docker.modem.followProgress(
        stream,
        (err: Error | null, out: Array<{ error?: string; errorDetail?: { message?: string } }>) => {
          if (err) return reject(err);
          const bad = out.find((o) => o.error || o.errorDetail);
          if (bad) return reject(new Error(bad.errorDetail?.message ?? bad.error));
          resolve();
        },
        (ev: { status?: string; id?: string; progress?: string; stream?: string }) => {
          const line = progressLine(ev);
          if (line) progress(line);
        },
      );
    });
  }

  private async tagRef(source: string, target: string): Promise<void> {
    if (target.startsWith(LOCAL)) this.changed(target.slice(LOCAL.length));
    const docker = await this.docker();
    const [repo, tag] = splitRef(target);
    await docker.getImage(source).tag({ repo, tag });
  }

  /** Remove one name of an image (the image stays while other names or containers use it). */
  private async untag(ref: string): Promise<void> {
    const docker = await this.docker();
    try {
      await docker.getImage(ref).remove();
    } catch (e) {
      this.log(`cannot remove the temporary image name ${ref}: ${(e as Error).message}`, true);
    }
  }

  async tag(source: string, target: string): Promise<WaltImage> {
    const src = await this.get(source);
    if (!src) throw new WaltError('image-not-found', `no such image '${source}'`, 404);
    const t = parseImageFullname(target);
    if (!t) throw new WaltError('invalid-image-name', `invalid image name '${target}' (expected <user>/<name>[:<tag>])`);
    const full = `${t.user}/${t.name}:${t.tag}`;
    await this.tagRef(LOCAL + src.fullname, LOCAL + full);
    return (await this.get(full))!;
  }

  async remove(fullname: string): Promise<void> {
    const img = await this.get(fullname);
    if (!img) throw new WaltError('image-not-found', `no such image '${fullname}'`, 404);
    const info = await this.inspect(LOCAL + img.fullname);
    const lastName = (info?.RepoTags ?? []).length <= 1;
    if (lastName && !(await this.views.drop(img.id))) {
      throw conflict(`image ${img.fullname} is being read by a node booting right now; retry in a minute`);
    }
    const docker = await this.docker();
    this.changed(img.fullname);
    try {
      await docker.getImage(LOCAL + img.fullname).remove();
    } catch (e) {
      throw conflict(`cannot remove ${img.fullname}: ${shortEngineError((e as Error).message)}`);
    }
    if (lastName) this.problems.delete(img.id);
  }

  async acquireView(fullname: string): Promise<ImageView> {
    const img = await this.get(fullname);
    if (!img) throw new WaltError('image-not-found', `no such image '${fullname}'`, 404);
    return this.views.acquire(img.id, () => this.mount(img));
  }

  /** Views currently mounted (held or in their grace period), by image id: for tests and status. */
  mountedViews(): Array<{ id: string; holders: number }> {
    return this.views.keys().map((id) => ({ id, holders: this.views.holders(id) ?? 0 }));
  }

  /** Remove view containers a previous run of this server left behind (crash, kill -9). */
  private cleanLeftovers(): Promise<void> {
    this.cleaned ??= (async () => {
      const docker = await this.docker();
      const labelled = await docker.listContainers({ all: true, filters: { label: [`${VIEW_OWNER_LABEL}=${this.options.dataDir}`] } });
      const prefix = this.committedContainerName('');
      const named = (await docker.listContainers({ all: true })).filter((c) => (c.Names ?? []).some((n) => n.replace(/^\//, '').startsWith(prefix)));
      for (const c of [...labelled, ...named]) {
        await docker
          .getContainer(c.Id)
          .remove({ force: true })
          .catch(() => undefined);
      }
      const views = join(this.options.dataDir, 'image-views');
      for (const mountpoint of mountsUnder(views)) await run('umount', ['-l', mountpoint]).catch(() => undefined);
      rmSync(views, { recursive: true, force: true });
    })().catch(() => undefined);
    return this.cleaned;
  }

  /**
   * The name of a container that is committed into an image (image shell, squash), `prefix` + purpose
   * + random; '' gives the prefix. A commit copies the container's labels into the image, and every
   * container later made from that image would inherit them: these carry this server's mark in their
   * name instead, so that leftovers are still found (cleanLeftovers).
   */
  private committedContainerName(purpose: string): string {
    const owner = createHash('sha256').update(this.options.dataDir).digest('hex').slice(0, 12);
    return purpose ? `walt-${owner}-${purpose}-${randomBytes(4).toString('hex')}` : `walt-${owner}-`;
  }

  private async createHolder(img: WaltImage, purpose: string): Promise<Docker.Container> {
    const docker = await this.docker();
    return docker.createContainer({
      Image: img.id,
      Cmd: ['/bin/sh'],
      Labels: { [VIEW_LABEL]: `${purpose} ${img.fullname}`, [VIEW_OWNER_LABEL]: this.options.dataDir },
      HostConfig: { NetworkMode: 'none' },
    });
  }

  private async mount(img: WaltImage): Promise<MountedView> {
    await this.cleanLeftovers();
    // The holder container pins the image: the engine will not delete layers a view reads. It is
    // created while the overlay is mounted (the other ways need it first).
    const holding = this.createHolder(img, 'view');
    holding.catch((e: Error) => this.log(`cannot create the holder container of ${img.fullname}: ${e.message}`, true));
    const removeHolder = () =>
      holding.then(
        (h) => h.remove({ force: true }).catch(() => undefined),
        () => undefined,
      );
    try {
      const view = (await this.overlayMount(img)) ?? (await this.engineMount(await holding)) ?? (await this.exportView(await holding, img));
      const warnings = addNodeFiles(view.root, { ...this.options.nodeFiles, imageId: img.id });
      for (const w of warnings) this.log(`view of ${img.fullname}: ${w}`, true);
      this.problems.set(img.id, this.problemsIn(img, view.root));
      this.log(`image ${img.fullname} available at ${view.root} (${view.how})`);
      return {
        root: view.root,
        dispose: async () => {
          await view.dispose();
          await removeHolder();
          await this.removeIfDangling(img.id);
          this.log(`image ${img.fullname} unmounted from ${view.root}`);
        },
      };
    } catch (e) {
      await removeHolder();
      throw e;
    }
  }

  private viewDir(img: WaltImage): string {
    return join(this.options.dataDir, 'image-views', `${img.id.slice(0, 12)}-${randomBytes(3).toString('hex')}`);
  }

  /**
   * As the original: an overlay of the image's layers (read-only) with a writable layer of our own in
   * the data dir, mounted by the server itself (root, overlay storage driver). The mount is then
   * visible in the server's mount namespace whatever the engine's, and nfs_export makes it exportable.
   */
  private async overlayMount(img: WaltImage): Promise<(MountedView & { how: string }) | undefined> {
    if (process.getuid?.() !== 0) return undefined;
    const driver = this.layers.get(img.id) ?? (await this.inspect(img.id))?.GraphDriver;
    const data = driver?.Data as Record<string, string> | undefined;
    if (driver?.Name !== 'overlay' || !data?.UpperDir) return undefined;
    const layers = [data.UpperDir, ...(data.LowerDir ? data.LowerDir.split(':') : [])];
    if (!layers.every((l) => existsSync(l))) return undefined; // the engine's storage is not visible from here
    const dir = this.viewDir(img);
    const fs = join(dir, 'fs');
    for (const d of ['upper', 'work', 'fs']) mkdirSync(join(dir, d), { recursive: true });
    const base = `lowerdir=${layers.join(':')},upperdir=${join(dir, 'upper')},workdir=${join(dir, 'work')}`;
    for (const options of [`${base},index=on,nfs_export=on`, base]) {
      try {
        await run('mount', ['-t', 'overlay', 'overlay', '-o', options, fs]);
        return {
          root: fs,
          how: `overlay of the engine's layers${options === base ? '' : ', nfs_export'}`,
          dispose: async () => {
            await run('umount', [fs]).catch(() => run('umount', ['-l', fs]));
            rmSync(dir, { recursive: true, force: true });
          },
        };
      } catch (e) {
        if (options === base) this.log(`cannot mount an overlay of ${img.fullname} (${(e as Error).message}); asking the engine`, true);
      }
    }
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }

  /** Podman's container mount (libpod API), when its mount is visible in this process. */
  private async engineMount(holder: Docker.Container): Promise<(MountedView & { how: string }) | undefined> {
    if ((await this.engine.kind()) !== 'podman') return undefined;
    const answer = (await this.engine.call('POST', `/v4.0.0/libpod/containers/${holder.id}/mount`)).trim();
    const root = answer.startsWith('"') ? (JSON.parse(answer) as string) : answer;
    const unmount = () => this.engine.call('POST', `/v4.0.0/libpod/containers/${holder.id}/unmount`).then(() => undefined, () => undefined);
    if (!existsSync(root) || readdirSync(root).length === 0) {
      await unmount(); // mounted in another mount namespace than ours
      return undefined;
    }
    return { root, how: 'podman container mount', dispose: unmount };
  }

  /** Docker has no mount API: unpack an export into the data dir (a copy; the image is untouched). */
  private async exportView(holder: Docker.Container, img: WaltImage): Promise<MountedView & { how: string }> {
    const dir = this.viewDir(img);
    const root = join(dir, 'fs');
    mkdirSync(root, { recursive: true });
    try {
      await unpack(await holder.export(), root);
    } catch (e) {
      rmSync(dir, { recursive: true, force: true });
      throw e;
    }
    return { root, how: 'container export unpacked', dispose: async () => rmSync(dir, { recursive: true, force: true }) };
  }

  /** An image replaced while it was mounted (cp, clone --force) is garbage once its view is gone. */
  private async removeIfDangling(id: string): Promise<void> {
    const info = await this.inspect(id).catch(() => undefined);
    if (info && !(info.RepoTags ?? []).length) {
      const docker = await this.docker();
      await docker
        .getImage(id)
        .remove()
        .catch(() => undefined);
    }
  }

  private problemsIn(img: WaltImage, root: string): string[] {
    if (!img.models.length) return [`no ${MODELS_LABEL} label`];
    return img.models.filter((m) => !existsSync(pathInRoot(root, `boot/${m}`))).map((m) => `no /boot/${m}/`);
  }

  /** Is it a usable WalT image? (label present, /boot/<model>/ for each model), cached per image id. */
  private async check(img: WaltImage): Promise<string[]> {
    const known = this.problems.get(img.id);
    if (known) return known;
    let problems: string[];
    if (!img.models.length) problems = [`no ${MODELS_LABEL} label`];
    else {
      const holder = await this.createHolder(img, 'check');
      try {
        problems = [];
        for (const m of img.models) {
          try {
            await this.engine.call('HEAD', `/containers/${holder.id}/archive?path=${encodeURIComponent(`/boot/${m}`)}`);
          } catch (e) {
            if ((e as { statusCode?: number }).statusCode !== 404) throw e;
            problems.push(`no /boot/${m}/`);
          }
        }
      } finally {
        await holder.remove({ force: true }).catch(() => undefined);
      }
    }
    this.problems.set(img.id, problems);
    return problems;
  }

  async fetch(ref: string, target: string, where: string, onProgress?: ProgressSink): Promise<WaltImage> {
    const t = parseImageFullname(target);
    if (!t) throw new WaltError('invalid-image-name', `invalid image name '${target}'`);
    try {
      return await this.fetchRef(ref, `${t.user}/${t.name}:${t.tag}`, onProgress ?? (() => undefined));
    } catch (e) {
      if (e instanceof WaltError) throw e;
      throw new WaltError('pull-failed', `cannot download ${ref} from ${where}: ${shortEngineError((e as Error).message)}`, 502);
    }
  }

  async push(fullname: string, ref: string, where: string, onProgress?: ProgressSink): Promise<void> {
    const img = await this.get(fullname);
    if (!img) throw new WaltError('image-not-found', `no such image '${fullname}'`, 404);
    const docker = await this.docker();
    const had = await this.inspect(ref);
    await this.tagRef(LOCAL + img.fullname, ref);
    try {
      const stream = await docker.getImage(ref).push({ authconfig: {} });
      await this.follow(docker, stream, onProgress ?? (() => undefined));
    } catch (e) {
      throw new WaltError('push-failed', `cannot publish ${img.fullname} to ${where}: ${shortEngineError((e as Error).message)}`, 502);
    } finally {
      if (!had) await this.untag(ref);
    }
  }

  async engineImages(): Promise<EngineImage[]> {
    const docker = await this.docker();
    const out: EngineImage[] = [];
    for (const info of await docker.listImages()) {
      for (const ref of info.RepoTags ?? []) {
        if (ref.startsWith(LOCAL) || ref.startsWith('<none>')) continue;
        out.push({ ref, id: info.Id.replace(/^sha256:/, ''), created: info.Created, models: models(info.Labels) });
      }
    }
    return out;
  }

  async exportArchive(fullname: string, path: string): Promise<NodeJS.ReadableStream> {
    const img = await this.get(fullname);
    if (!img) throw new WaltError('image-not-found', `no such image '${fullname}'`, 404);
    const holder = await this.createHolder(img, 'cp');
    try {
      const stream = await holder.getArchive({ path });
      const done = () => void holder.remove({ force: true }).catch(() => undefined);
      stream.once('end', done);
      stream.once('close', done);
      stream.once('error', done);
      return stream;
    } catch (e) {
      await holder.remove({ force: true }).catch(() => undefined);
      if ((e as { statusCode?: number }).statusCode === 404) throw new WaltError('not-found', `no such file or directory in image ${fullname}: ${path}`, 404);
      throw e;
    }
  }

  async importArchive(fullname: string, path: string, tar: NodeJS.ReadableStream): Promise<WaltImage> {
    const img = await this.get(fullname);
    if (!img) throw new WaltError('image-not-found', `no such image '${fullname}'`, 404);
    const holder = await this.createHolder(img, 'cp');
    try {
      try {
        await holder.putArchive(tar, { path });
      } catch (e) {
        const status = (e as { statusCode?: number }).statusCode;
        if (status === 404) throw new WaltError('not-found', `no directory ${path} in image ${fullname} (copy to an existing directory)`, 404);
        throw new WaltError('cp-failed', `cannot copy into ${fullname}:${path}: ${shortEngineError((e as Error).message)}`, 400);
      }
      const [repo, tag] = splitRef(LOCAL + img.fullname);
      this.changed(img.fullname);
      await holder.commit({ repo, tag, pause: false });
    } finally {
      await holder.remove({ force: true }).catch(() => undefined);
    }
    await this.removeIfDangling(img.id);
    return (await this.get(img.fullname))!;
  }

  /**
   * `walt image build`: the engine builds the context under a temporary name (so a failed or refused
   * build never touches the user's image), then the image takes its WalT name; the image it replaces
   * goes once no view holds it.
   */
  async build(contextDir: string, target: string, accept: (built: WaltImage) => Promise<void>, onProgress?: ProgressSink): Promise<WaltImage> {
    const t = parseImageFullname(target);
    if (!t) throw new WaltError('invalid-image-name', `invalid image name '${target}'`);
    const full = `${t.user}/${t.name}:${t.tag}`;
    const temp = `walt-build/b${randomBytes(6).toString('hex')}:latest`;
    const docker = await this.docker();
    const tar = spawn('tar', ['-c', '-C', contextDir, '.'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const stream = await docker.buildImage(tar.stdout as unknown as NodeJS.ReadableStream, { t: LOCAL + temp, rm: true, forcerm: true });
      await this.follow(docker, stream, onProgress ?? (() => undefined));
    } catch (e) {
      await this.untagQuietly(LOCAL + temp);
      throw new WaltError('build-failed', `image build failed: ${(e as Error).message.trim().split('\n')[0]}`, 422);
    } finally {
      tar.kill();
    }
    return this.adopt(temp, full, accept, 'image build failed: the engine did not tag the result');
  }

  /**
   * The image made under the temporary name `temp` (a build, a shell commit) takes the name `full`
   * once `accept` agreed; the temporary name goes in any case, and the image `full` named before goes
   * once no view holds it.
   */
  private async adopt(temp: string, full: string, accept: (img: WaltImage) => Promise<void>, missing: string): Promise<WaltImage> {
    try {
      const made = await this.get(temp);
      if (!made) throw new WaltError('image-missing', missing, 502);
      made.problems = await this.check(made);
      await accept(made);
      const before = await this.get(full);
      await this.tagRef(LOCAL + temp, LOCAL + full);
      if (before && before.id !== made.id) await this.removeIfDangling(before.id);
    } finally {
      await this.untagQuietly(LOCAL + temp);
      this.changed(temp);
    }
    return (await this.get(full))!;
  }

  async shellContainer(fullname: string, options: { term?: string }): Promise<ShellContainer> {
    const img = await this.get(fullname);
    if (!img) throw new WaltError('image-not-found', `no such image '${fullname}'`, 404);
    await this.cleanLeftovers();
    return EngineShellContainer.create(this.engine, await this.docker(), img, { name: this.committedContainerName('shell'), term: options.term }, (temp, target, accept) =>
      this.adopt(temp, target, accept, 'the commit of the shell session left no image'),
    );
  }

  /** `walt image squash` (Podman: a commit of a container of the image with --squash keeps its config and labels). */
  async squash(fullname: string): Promise<WaltImage> {
    const img = await this.get(fullname);
    if (!img) throw new WaltError('image-not-found', `no such image '${fullname}'`, 404);
    if ((await this.engine.kind()) !== 'podman') throw new WaltError('unsupported', 'walt image squash needs a Podman engine (images.engine-socket)', 501);
    const docker = await this.docker();
    // No command given: the container keeps the image's own, so the commit does not change it.
    const holder = await docker.createContainer({ Image: img.id, name: this.committedContainerName('squash'), HostConfig: { NetworkMode: 'none' } });
    try {
      const [repo, tag] = splitRef(LOCAL + img.fullname);
      const q = new URLSearchParams({ container: holder.id, repo, tag, squash: 'true', pause: 'false' });
      this.changed(img.fullname);
      await this.engine.call('POST', `/v4.0.0/libpod/commit?${q.toString()}`, undefined, 30 * 60_000);
    } catch (e) {
      if (e instanceof WaltError) throw e;
      throw new WaltError('squash-failed', `cannot squash ${img.fullname}: ${shortEngineError((e as Error).message)}`, 502);
    } finally {
      await holder.remove({ force: true }).catch(() => undefined);
    }
    await this.removeIfDangling(img.id);
    return (await this.get(img.fullname))!;
  }

  private async untagQuietly(ref: string): Promise<void> {
    const docker = await this.docker();
    await docker
      .getImage(ref)
      .remove()
      .catch(() => undefined);
  }

  refresh(): void {
    this.known.clear();
    this.problems.clear();
  }

  /** Resolves once background housekeeping (temporary names being dropped) is done. */
  async idle(): Promise<void> {
    while (this.housekeeping.size) await Promise.allSettled([...this.housekeeping]);
  }

  private inBackground(job: Promise<unknown>): void {
    const p: Promise<void> = job.then(
      () => undefined,
      () => undefined,
    ).finally(() => this.housekeeping.delete(p));
    this.housekeeping.add(p);
  }

  async close(): Promise<void> {
    await this.idle();
    await this.views.closeAll();
  }
}

/** Run a command to completion; rejects with its first stderr line. */
function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} failed: ${err.trim().split('\n')[0]}`))));
  });
}

/** Mount points of this process under `dir` (leftovers of a crash). */
function mountsUnder(dir: string): string[] {
  try {
    return readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .map((l) => l.split(' ')[4])
      .filter((m): m is string => !!m && m.startsWith(dir + '/'))
      .sort()
      .reverse();
  } catch {
    return [];
  }
}

/** Unpack a tar stream into `dir` with the system tar (keeps owners, modes, devices and links). */
function unpack(stream: NodeJS.ReadableStream, dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const tar = spawn('tar', ['-x', '-C', dir, '--numeric-owner'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    tar.stderr.on('data', (d) => (err += d));
    tar.on('error', reject);
    tar.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`tar failed: ${err.trim()}`))));
    stream.on('error', reject);
    stream.pipe(tar.stdin);
  });
}
