import type { DefaultImageProvider } from '../devices/default-image-provider.js';
import type { ImageStore, ProgressSink } from './image-store.js';

/**
 * The images side of registration when the DHCP service does not provide its own (virtual-only
 * walt-net, POST /api/v1/devices/register): a synchronous "is it local" answer from a presence set
 * (filled from the store at start and by every pull), and pulls through the store (which
 * deduplicates them per image and tries the engine, then each configured registry).
 */
export class DefaultImages implements DefaultImageProvider {
  private readonly local = new Set<string>();

  constructor(private readonly store: ImageStore) {}

  /** Learn which images are local now (server start). */
  async refresh(): Promise<void> {
    try {
      for (const img of await this.store.list()) this.local.add(img.fullname);
    } catch {
      /* no engine: everything will be pulled (and fail with the install hint) */
    }
  }

  isLocal(image: string): boolean {
    return this.local.has(image);
  }

  async fetch(image: string, _model?: string, onProgress?: ProgressSink): Promise<void> {
    const img = await this.store.pull(image, onProgress);
    this.local.add(img.fullname);
  }

  markLocal(image: string): void {
    this.local.add(image);
  }

  forget(image: string): void {
    this.local.delete(image);
  }
}
