import type { ImageStore } from './image-store.js';

import { noEngineError as hint } from './engine-connection.js';

/**
 * The store when no container engine answers: the server runs, image commands say what to install.
 * Every operation rejects (never throws synchronously): callers chain on the promise, and a throw
 * before the promise exists escapes their `.catch` (it crashed the server on a node's first DHCP request).
 */
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
  async pull(): Promise<never> {
    throw hint(this.why);
  }
  async tag(): Promise<never> {
    throw hint(this.why);
  }
  async remove(): Promise<never> {
    throw hint(this.why);
  }
  async acquireView(): Promise<never> {
    throw hint(this.why);
  }
  async fetch(): Promise<never> {
    throw hint(this.why);
  }
  async push(): Promise<never> {
    throw hint(this.why);
  }
  async engineImages(): Promise<never> {
    throw hint(this.why);
  }
  async exportArchive(): Promise<never> {
    throw hint(this.why);
  }
  async importArchive(): Promise<never> {
    throw hint(this.why);
  }
  async close() {}
}
