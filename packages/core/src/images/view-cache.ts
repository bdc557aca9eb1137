import type { ImageView } from './image-store.js';

/** A mounted filesystem and how to take it down. */
export interface MountedView {
  root: string;
  dispose(): Promise<void>;
}

interface Entry {
  mounted: Promise<MountedView>;
  refs: number;
  timer?: NodeJS.Timeout;
}

/**
 * Reference-counted views, keyed by image id: the first acquire mounts, later ones share the same
 * mount (also while it is still being mounted), and the last release starts a grace period after
 * which the view is disposed unless someone acquired it again. A failed mount is forgotten, so the
 * next acquire retries.
 */
export class ViewCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly graceMs: number,
    private readonly onError: (key: string, e: unknown) => void = () => undefined,
  ) {}

  async acquire(key: string, mount: () => Promise<MountedView>): Promise<ImageView> {
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { mounted: mount(), refs: 0 };
      this.entries.set(key, entry);
      const created = entry;
      created.mounted.catch(() => {
        if (this.entries.get(key) === created) this.entries.delete(key);
      });
    }
    entry.refs++;
    if (entry.timer) {
      clearTimeout(entry.timer);
      entry.timer = undefined;
    }
    let view: MountedView;
    try {
      view = await entry.mounted;
    } catch (e) {
      entry.refs--;
      throw e;
    }
    let released = false;
    const held = entry;
    return {
      root: view.root,
      release: () => {
        if (released) return;
        released = true;
        this.release(key, held);
      },
    };
  }

  private release(key: string, entry: Entry): void {
    entry.refs--;
    if (entry.refs > 0 || this.entries.get(key) !== entry) return;
    entry.timer = setTimeout(() => {
      if (entry.refs > 0 || this.entries.get(key) !== entry) return;
      this.entries.delete(key);
      void this.dispose(key, entry);
    }, this.graceMs);
    entry.timer.unref();
  }

  private async dispose(key: string, entry: Entry): Promise<void> {
    try {
      await (await entry.mounted).dispose();
    } catch (e) {
      this.onError(key, e);
    }
  }

  /** How many holders a view has (undefined when it is not mounted). */
  holders(key: string): number | undefined {
    return this.entries.get(key)?.refs;
  }

  /** Keys of the views mounted now (held or in their grace period). */
  keys(): string[] {
    return [...this.entries.keys()];
  }

  /** Dispose an unheld view at once (image removal); false when someone holds it. */
  async drop(key: string): Promise<boolean> {
    const entry = this.entries.get(key);
    if (!entry) return true;
    if (entry.refs > 0) return false;
    clearTimeout(entry.timer);
    this.entries.delete(key);
    await this.dispose(key, entry);
    return true;
  }

  /** Dispose everything now (server stop). */
  async closeAll(): Promise<void> {
    const all = [...this.entries];
    this.entries.clear();
    for (const [key, entry] of all) {
      clearTimeout(entry.timer);
      await this.dispose(key, entry);
    }
  }
}
