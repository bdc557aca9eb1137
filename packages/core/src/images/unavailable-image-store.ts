import type { ImageStore } from './image-store.js';

import { noEngineError as hint } from './engine-connection.js';

/** The store when no container engine answers: the server runs, image commands say what to install. */
export class UnavailableImageStore implements ImageStore {
  constructor(private readonly why: string) {}
  /** The one-line "what to install" error image commands answer with. */
  error() {
    return hint(this.why);
  }
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
  fetch(): never {
    throw hint(this.why);
  }
  push(): never {
    throw hint(this.why);
  }
  engineImages(): never {
    throw hint(this.why);
  }
  exportArchive(): never {
    throw hint(this.why);
  }
  importArchive(): never {
    throw hint(this.why);
  }
  async close() {}
}
