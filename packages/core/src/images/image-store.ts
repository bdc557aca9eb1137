import type { Duplex } from 'node:stream';

/** A WalT image: an OCI image named `<user>/<name>:<tag>` whose label walt.node.models lists its models. */
export interface WaltImage {
  /** "<user>/<name>:<tag>". */
  fullname: string;
  user: string;
  name: string;
  tag: string;
  /** Engine image id (hex). */
  id: string;
  /** Creation time, seconds since the epoch. */
  created: number;
  /** Models from the label walt.node.models (empty when the label is missing). */
  models: string[];
  /** Preferred name for clones (label walt.image.preferred-name). */
  preferredName?: string;
  /**
   * What is wrong with it as a WalT image (no walt.node.models label, no /boot/<model>/ for a listed
   * model); empty or absent when it is fine or not checked yet.
   */
  problems?: string[];
}

/** Progress lines of long work (pulls, pushes), shown on the user's terminal. */
export type ProgressSink = (line: string) => void;

/** An image of the engine that is not named as a WalT image (`docker:` clone links, search). */
export interface EngineImage {
  /** Engine reference, e.g. docker.io/library/debian:12 or 127.0.0.1:5000/lab/img:v1. */
  ref: string;
  id: string;
  created: number;
  models: string[];
}

/** A mounted, read-only view of an image's filesystem, shared by every node booting it. */
export interface ImageView {
  /** Absolute path of the root filesystem. */
  readonly root: string;
  /** Give the view back; it is unmounted after a grace period once nobody holds it. */
  release(): void;
}

/**
 * Where images live (an OCI engine through dockerode in production). Node ownership, default images
 * and the boot path all go through this interface.
 */
export interface ImageStore {
  /** True when the engine answers. */
  available(): Promise<boolean>;
  /** Every WalT image; with `check`, each one's `problems` are filled in (slower: may inspect files). */
  list(options?: { check?: boolean }): Promise<WaltImage[]>;
  get(fullname: string): Promise<WaltImage | undefined>;
  /** Make sure the image is local, pulling it from the configured registries if needed. */
  pull(fullname: string, onProgress?: (line: string) => void): Promise<WaltImage>;
  /** Copy an image under a new full name (same content). */
  tag(source: string, target: string): Promise<WaltImage>;
  remove(fullname: string): Promise<void>;
  /** Get (mount or reuse) the filesystem view of an image. */
  acquireView(fullname: string): Promise<ImageView>;
  /**
   * Copy an image from a remote reference into the store as `target` (`walt image clone`): `ref` is
   * pulled from its registry (e.g. 127.0.0.1:5000/alice/img:v1) unless the engine already has it.
   * `where` names the source in errors ("registry 'lab' (127.0.0.1:5000)").
   */
  fetch(ref: string, target: string, where: string, onProgress?: ProgressSink): Promise<WaltImage>;
  /** Push an image to `ref` (a registry reference); returns once the registry has it. */
  push(fullname: string, ref: string, where: string, onProgress?: ProgressSink): Promise<void>;
  /** Engine images that are not WalT-named (candidates for `docker:` clone links). */
  engineImages(): Promise<EngineImage[]>;
  /** A tar stream of `path` inside the image (`walt image cp <image>:<path> <local>`). */
  exportArchive(fullname: string, path: string): Promise<NodeJS.ReadableStream>;
  /** Unpack a tar stream into directory `path` of the image and save the result under the same name. */
  importArchive(fullname: string, path: string, tar: NodeJS.ReadableStream): Promise<WaltImage>;
  /**
   * Build the image whose context (with its Dockerfile) is the directory `contextDir`, under a
   * temporary name; `accept` checks the result before it takes the name `target` (a refused or failed
   * build leaves `target` as it was). Engines that cannot build leave this undefined.
   */
  build?(contextDir: string, target: string, accept: (built: WaltImage) => Promise<void>, onProgress?: ProgressSink): Promise<WaltImage>;
  /** A container of the image for `walt image shell` (created, not started). */
  shellContainer?(fullname: string, options: { term?: string }): Promise<ShellContainer>;
  /** Squash the image's layers into one (same name, same configuration and labels). */
  squash?(fullname: string): Promise<WaltImage>;
  /** Forget cached image metadata (`walt image show --refresh`: the engine was changed behind WalT's back). */
  refresh?(): void;
  /** Unmount every view now (server stop). */
  close(): Promise<void>;
}

/** A container of an image with an interactive shell (`walt image shell`), on the server's engine. */
export interface ShellContainer {
  readonly id: string;
  /** Attach (raw terminal stream, both ways), then start it. */
  start(): Promise<Duplex>;
  resize(cols: number, rows: number): Promise<void>;
  signal(name: string): Promise<void>;
  /** Resolves with the shell's exit status once the container stopped. */
  wait(): Promise<number>;
  /**
   * Save the stopped container as `target` (its own command and entrypoint restored, the labels
   * kept), after `accept` checked the result under a temporary name: the image
   * named `target` changes only when the whole commit is done and accepted.
   */
  commit(target: string, accept: (img: WaltImage) => Promise<void>): Promise<WaltImage>;
  remove(): Promise<void>;
}

/** "<user>/<name>[:<tag>]" split; tag defaults to latest. Undefined when malformed. */
export function parseImageFullname(fullname: string): { user: string; name: string; tag: string } | undefined {
  const m = /^([a-z0-9][a-z0-9._-]*)\/([a-z0-9][a-z0-9._-]*)(?::([A-Za-z0-9_][A-Za-z0-9._-]{0,127}))?$/.exec(fullname);
  return m ? { user: m[1], name: m[2], tag: m[3] ?? 'latest' } : undefined;
}
