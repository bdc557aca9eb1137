import type { DeviceRegistry } from '../devices/device-registry.js';
import { invalid } from '../errors.js';
import type { ImageStore } from '../images/image-store.js';
import { requireUser } from '../nodes/node-ownership.js';
import { displayImageName } from '../nodes/working-set-image.js';
import type { Router } from './router.js';

/** The keywords of node and device sets (the original's autocomplete). */
const NODE_SET_KEYWORDS = ['my-nodes', 'all-nodes', 'free-nodes'];
const DEVICE_SET_KEYWORDS = ['all-devices', 'all-switches', 'explorable-switches'];

/** What shell completion can ask for. */
export const COMPLETION_KINDS = ['node', 'node-set', 'device', 'device-set', 'switch', 'image', 'image-or-default'] as const;
export type CompletionKind = (typeof COMPLETION_KINDS)[number];

/**
 * `GET /api/v1/completions/<kind>`: the names shell completion offers (the hidden command
 * `walt advanced complete-names` asks it), one list per kind; images are the requester's own.
 */
export function registerCompletionRoutes(router: Router, deps: { registry: DeviceRegistry; images: ImageStore }): void {
  router.get('/api/v1/completions/:kind', async (req) => {
    const kind = req.params.kind as CompletionKind;
    if (!COMPLETION_KINDS.includes(kind)) throw invalid(`unknown completion kind '${req.params.kind}' (one of ${COMPLETION_KINDS.join(', ')})`);
    const devices = deps.registry.all();
    const names = (filter: (type: string) => boolean) => devices.filter((d) => filter(d.type)).map((d) => d.name);
    let out: string[];
    switch (kind) {
      case 'node':
        out = names((t) => t === 'node');
        break;
      case 'node-set':
        out = [...NODE_SET_KEYWORDS, ...names((t) => t === 'node')];
        break;
      case 'device':
        out = names(() => true);
        break;
      case 'device-set':
        out = [...NODE_SET_KEYWORDS, ...DEVICE_SET_KEYWORDS, ...names(() => true)];
        break;
      case 'switch':
        out = names((t) => t === 'switch');
        break;
      default: {
        const user = requireUser(req.user);
        const mine = (await deps.images.list().catch(() => [])).filter((i) => i.user === user).map((i) => displayImageName(i.fullname));
        out = kind === 'image-or-default' ? ['default', ...mine] : mine;
      }
    }
    return { names: [...new Set(out)].sort() };
  });
}
