import { WaltError } from '../errors.js';
import type { ImageStore } from './image-store.js';

const hint = (why: string) =>
  new WaltError(
    'no-image-engine',
    `no image engine: ${why} (install podman and run 'podman system service', or set images.engine-socket in the server config)`,
    503,
  );

/** The store when no container engine answers: the server runs, image commands say what to install. */
export class UnavailableImageStore implements ImageStore {
  constructor(private readonly why: string) {}
  async available() {
    return false;
  }
  async list() {
    return [];
  }
  async get() {
    return undefined;
  }
  pull(): never {
    throw hint(this.why);
  }
  tag(): never {
    throw hint(this.why);
  }
  remove(): never {
    throw hint(this.why);
  }
  acquireView(): never {
    throw hint(this.why);
  }
}
