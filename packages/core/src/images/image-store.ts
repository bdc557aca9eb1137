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
  list(): Promise<WaltImage[]>;
  get(fullname: string): Promise<WaltImage | undefined>;
  /** Make sure the image is local, pulling it from the configured registries if needed. */
  pull(fullname: string, onProgress?: (line: string) => void): Promise<WaltImage>;
  /** Copy an image under a new full name (same content). */
  tag(source: string, target: string): Promise<WaltImage>;
  remove(fullname: string): Promise<void>;
  /** Get (mount or reuse) the filesystem view of an image. */
  acquireView(fullname: string): Promise<ImageView>;
}

/** "<user>/<name>[:<tag>]" split; tag defaults to latest. Undefined when malformed. */
export function parseImageFullname(fullname: string): { user: string; name: string; tag: string } | undefined {
  const m = /^([a-z0-9][a-z0-9._-]*)\/([a-z0-9][a-z0-9._-]*)(?::([A-Za-z0-9_][A-Za-z0-9._-]{0,127}))?$/.exec(fullname);
  return m ? { user: m[1], name: m[2], tag: m[3] ?? 'latest' } : undefined;
}
