import type { DefaultImageProvider } from '../devices/default-image-provider.js';
import type { ImageStore, ProgressSink } from './image-store.js';

/** How long what the store said about an image is believed before `check` asks again. */
const PRESENCE_TTL_MS = 5_000;

/**
 * The images side of registration, the only DefaultImageProvider: a synchronous "is it local" answer
 * the registry can consult (images listed at start, pulled, marked by `walt image` commands, or
 * found by `check`, which asks the store again after a few seconds), and pulls deduplicated per image (a storm
 * of new rpi nodes pulls the rpi default image once). Registration waits for images only once
 * enabled: by the images subsystem when an engine answers (or with an image folder), and always by
 * the DHCP service on a real walt-net.
 */
export class DefaultImages implements DefaultImageProvider {
  private readonly presence = new Map<string, { local: boolean; at: number }>();
  private readonly checks = new Map<string, Promise<boolean>>();
  private readonly pulls = new Map<string, Promise<void>>();
  private waits = false;

  constructor(
    private readonly store: ImageStore,
    private readonly now: () => number = Date.now,
  ) {}

  enabled(): boolean {
    return this.waits;
  }

  /** From now on, new nodes wait for their default image. */
  enable(): void {
    this.waits = true;
  }

  /** Learn which images are local now (server start). */
  async refresh(): Promise<void> {
    try {
      for (const img of await this.store.list()) this.markLocal(img.fullname);
    } catch {
      /* no engine: everything will be pulled (and fail with the install hint) */
    }
  }

  isLocal(image: string): boolean {
    return this.presence.get(image)?.local === true;
  }

  /** Ask the store whether the image is local (the answer is cached for a few seconds, one query at a time per image). */
  check(image: string): Promise<boolean> {
    const known = this.known(image);
    if (known !== undefined) return Promise.resolve(known);
    let pending = this.checks.get(image);
    if (!pending) {
      // Started inside a promise: a store that throws instead of rejecting still ends up here.
      pending = Promise.resolve()
        .then(() => this.store.get(image))
        .then(
          (img) => img !== undefined,
          () => false,
        )
        .then((local) => {
          this.presence.set(image, { local, at: this.now() });
          return local;
        })
        .finally(() => this.checks.delete(image));
      this.checks.set(image, pending);
    }
    return pending;
  }

  /** What `check` would answer without asking the store (its last answer is fresh), else undefined. */
  known(image: string): boolean | undefined {
    const known = this.presence.get(image);
    return known && this.now() - known.at < PRESENCE_TTL_MS ? known.local : undefined;
  }

  /** Make the image local (one pull per image at a time). */
  fetch(image: string, _model?: string, onProgress?: ProgressSink): Promise<void> {
    let pending = this.pulls.get(image);
    if (!pending) {
      pending = Promise.resolve()
        .then(() => this.store.pull(image, onProgress))
        .then((img) => {
          this.markLocal(img.fullname);
          this.markLocal(image);
        })
        .finally(() => this.pulls.delete(image));
      this.pulls.set(image, pending);
    }
    return pending;
  }

  markLocal(image: string): void {
    this.presence.set(image, { local: true, at: this.now() });
  }

  forget(image: string): void {
    this.presence.delete(image);
  }
}
