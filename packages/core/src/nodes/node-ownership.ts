import { WaltError, invalid } from '../errors.js';
import type { Device } from '../devices/device.js';
import { imageOwner } from '../devices/device-set.js';
import { NODE_LABEL, formatSentence } from '../devices/format-sentence.js';

/** The account that owns the default images: a node booting one of its images is free. */
export const PLATFORM_USER = 'waltplatform';

/** A node as seen by a user: theirs, free (it boots a waltplatform image), or another user's. */
export type Ownership = 'owned' | 'free' | 'other';

export function ownershipOf(node: Pick<Device, 'image'>, user: string): Ownership {
  const owner = imageOwner(node.image);
  if (owner === null || owner === PLATFORM_USER) return 'free';
  return owner === user ? 'owned' : 'other';
}

/**
 * The original's check modes: `owned-or-free` (most commands: others' nodes need a confirmation),
 * `free-or-not-owned` (acquire: your own nodes are an error, others' need a confirmation),
 * `owned` (release: only your nodes).
 */
export type OwnershipMode = 'owned-or-free' | 'free-or-not-owned' | 'owned';

const SEE_HELP = 'See `walt help show node-ownership`.';

/** The user a request acts for (the owner of its token); node commands need one. */
export function requireUser(user: string | null): string {
  if (!user) throw invalid('this request needs an authenticated user (the walt client sends its token)');
  return user;
}

/** Where acting on other users' nodes is recorded (both names), and what the action was. */
export interface OwnershipAudit {
  action: string;
  log(line: string): void;
}

/**
 * Refuse what the mode forbids; when others' nodes are involved and `confirmed` is false, answer
 * `needs-confirmation` (HTTP 409) so the client asks the user (or tells them to pass --yes).
 */
export function checkOwnership(nodes: readonly Device[], user: string, mode: OwnershipMode, confirmed: boolean, audit?: OwnershipAudit): void {
  const names = (o: Ownership) => nodes.filter((n) => ownershipOf(n, user) === o).map((n) => n.name);
  if (mode === 'owned') {
    const notMine = nodes.filter((n) => ownershipOf(n, user) !== 'owned').map((n) => n.name);
    if (notMine.length) throw new WaltError('not-owned', formatSentence(`%s {is|are} not yours. ${SEE_HELP}`, notMine, NODE_LABEL), 403);
    return;
  }
  if (mode === 'free-or-not-owned') {
    const mine = names('owned');
    if (mine.length) throw new WaltError('already-owned', formatSentence(`%s {is|are} already yours. ${SEE_HELP}`, mine, NODE_LABEL), 409);
  }
  const others = names('other');
  if (others.length && !confirmed) {
    throw new WaltError('needs-confirmation', formatSentence('%s {seems|seem} to be used by {another user|other users}.', others, NODE_LABEL), 409);
  }
  if (others.length && audit) {
    const owned = nodes.filter((n) => ownershipOf(n, user) === 'other').map((n) => `${n.name} (of ${imageOwner(n.image)})`);
    audit.log(`user ${user} confirmed ${audit.action} on other users' nodes: ${owned.join(', ')}`);
  }
}
