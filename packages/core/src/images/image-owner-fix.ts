import type { DeviceRegistry } from '../devices/device-registry.js';
import { conflict, invalid, notFound } from '../errors.js';
import type { LogService } from '../logs/log-service.js';
import { PLATFORM_USER } from '../nodes/node-ownership.js';
import { displayImageName } from '../nodes/working-set-image.js';
import type { ImageStore } from './image-store.js';

/**
 * `walt advanced fix-image-owner --yes-i-know-do-it-please <other-user>` (maintenance: a user left):
 * every image of `other` moves into `user`'s working set under the same name. Refused as a whole,
 * changing nothing, when one of them is booted by nodes or a name is already taken.
 */
export async function fixImageOwner(deps: { store: ImageStore; devices: DeviceRegistry; logs: LogService }, user: string, other: string): Promise<string[]> {
  if (other === user) throw invalid(`'${other}' is your own user name: your images are already yours.`);
  if (other === PLATFORM_USER) throw invalid(`the images of '${PLATFORM_USER}' are the platform's default images; they cannot change owner.`);
  const all = await deps.store.list();
  const theirs = all.filter((i) => i.user === other);
  if (!theirs.length) throw notFound(`No image belongs to a user named '${other}' (check the spelling; see 'walt image show --all').`);
  const booted = new Set(deps.devices.all().filter((d) => d.type === 'node' && d.image).map((d) => d.image!));
  const inUse = theirs.filter((i) => booted.has(i.fullname)).map((i) => displayImageName(i.fullname));
  if (inUse.length) throw conflict(`Cannot take the images of ${other}: nodes boot ${inUse.join(', ')} (boot them on other images first).`);
  const mine = new Set(all.filter((i) => i.user === user).map((i) => displayImageName(i.fullname)));
  const taken = theirs.map((i) => displayImageName(i.fullname)).filter((n) => mine.has(n));
  if (taken.length) throw conflict(`Cannot take the images of ${other}: your working set already has ${taken.join(', ')} (rename or remove yours first).`);
  const lines: string[] = [];
  for (const img of theirs) {
    const target = `${user}/${img.fullname.slice(img.fullname.indexOf('/') + 1)}`;
    await deps.store.tag(img.fullname, target);
    await deps.store.remove(img.fullname);
    deps.logs.platform('images', `image ${img.fullname} now belongs to ${user} (fix-image-owner)`);
    lines.push(`Image ${displayImageName(target)} now belongs to you.`);
  }
  return lines;
}
