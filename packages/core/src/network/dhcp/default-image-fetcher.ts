import type { DefaultImageProvider } from '../../devices/default-image-provider.js';
import type { ImageStore } from '../../images/image-store.js';

/** How long "this image is local" is believed without asking the store again. */
const PRESENCE_TTL_MS = 5_000;

/**
 * The images side of registration (DefaultImageProvider) over an ImageStore: a synchronous presence
 * cache the registry can consult, refreshed by `check` before a DHCP registration, and pulls
 * deduplicated per image (a storm of new rpi nodes pulls the rpi default image once).
 */
export class DefaultImageFetcher implements DefaultImageProvider {
  private readonly presence = new Map<string, { local: boolean; at: number }>();
  private readonly checks = new Map<string, Promise<boolean>>();
  private readonly pulls = new Map<string, Promise<void>>();

  constructor(
    private readonly store: ImageStore,
    private readonly now: () => number = Date.now,
  ) {}

  isLocal(image: string): boolean {
    return this.presence.get(image)?.local === true;
  }

  /** Ask the store whether the image is local (cached for a few seconds, one query at a time per image). */
  check(image: string): Promise<boolean> {
    const known = this.presence.get(image);
    if (known && this.now() - known.at < PRESENCE_TTL_MS) return Promise.resolve(known.local);
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

  fetch(image: string): Promise<void> {
    let pending = this.pulls.get(image);
    if (!pending) {
      pending = Promise.resolve()
        .then(() => this.store.pull(image))
        .then(() => {
          this.presence.set(image, { local: true, at: this.now() });
        })
        .finally(() => this.pulls.delete(image));
      this.pulls.set(image, pending);
    }
    return pending;
  }
}
