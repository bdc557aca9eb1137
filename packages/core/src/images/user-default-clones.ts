import type { DeviceRegistry } from '../devices/device-registry.js';
import { listNames } from '../devices/format-sentence.js';
import { PLATFORM_USER } from '../nodes/node-ownership.js';
import { displayImageName } from '../nodes/working-set-image.js';
import type { ImageStore, WaltImage } from './image-store.js';

/** A default image a user with an empty working set gets: where it comes from and the name it takes. */
export interface PendingDefault {
  source: WaltImage;
  /** `<user>/<name>:latest` */
  target: string;
  models: string[];
}

/**
 * The default images of a user's empty working set (one per default image of the node models
 * present, named by its walt.image.preferred-name label or `<model>-default`), as the original
 * gives a new user. They are listed by `walt image show` but copied only when the user first uses
 * one (boots a node on it, changes, copies from, renames or publishes it), so that listing images
 * under any new name costs nothing (issue 14: 50 names made 50 copies).
 */
export class UserDefaultClones {
  constructor(
    private readonly store: ImageStore,
    private readonly devices: DeviceRegistry,
  ) {}

  /** The defaults a user would get now: none once the working set holds an image. */
  async pending(user: string, all?: readonly WaltImage[]): Promise<PendingDefault[]> {
    if (user === PLATFORM_USER) return [];
    const images = all ?? (await this.store.list());
    if (images.some((i) => i.user === user)) return [];
    const byDefault = new Map<string, string[]>();
    for (const d of this.devices.all()) {
      if (d.type !== 'node' || !d.model) continue;
      const image = this.devices.defaultImageOf(d.model);
      const models = byDefault.get(image) ?? [];
      if (!models.includes(d.model)) models.push(d.model);
      byDefault.set(image, models.sort());
    }
    const out: PendingDefault[] = [];
    for (const [image, models] of byDefault) {
      const source = images.find((i) => i.fullname === image) ?? (await this.store.get(image));
      if (!source) continue; // still downloading: the node is not a node yet anyway
      const target = `${user}/${source.preferredName ?? `${models[0]}-default`}:latest`;
      if (out.some((p) => p.target === target)) continue;
      out.push({ source, target, models });
    }
    return out;
  }

  /**
   * The user is about to use `fullname`: if it is one of their pending defaults, copy every pending
   * default into the working set now (as the original's first look did), and say what was cloned.
   */
  async materialize(user: string, fullname: string): Promise<string[]> {
    const pending = await this.pending(user);
    if (!pending.some((p) => p.target === fullname)) return [];
    const messages: string[] = [];
    for (const p of pending) {
      if (await this.store.get(p.target)) continue;
      await this.store.tag(p.source.fullname, p.target);
      messages.push(`Cloned ${displayImageName(p.target)}, a default image for ${listNames(p.models)}.`);
    }
    return messages;
  }
}
