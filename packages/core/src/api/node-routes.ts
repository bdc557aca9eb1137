import { WaltError } from '../errors.js';
import type { DeviceRegistry } from '../devices/device-registry.js';
import type { DeviceSets } from '../devices/device-set.js';
import { checkOwnership, requireUser } from '../nodes/node-ownership.js';
import type { NodeImageService } from '../nodes/node-image-service.js';
import type { NodeListing } from '../nodes/node-listing.js';
import { bodyObject, deviceView, optionalBoolean, requiredString } from './device-routes.js';
import { typeWithArticle } from '../devices/device-set.js';
import type { Router } from './router.js';

/** Node endpoints: listing for a user, rename, and ownership (acquire, release, boot). */
export function registerNodeRoutes(
  router: Router,
  { registry, sets, listing, images, audit }: { registry: DeviceRegistry; sets: DeviceSets; listing: NodeListing; images: NodeImageService; audit?: (line: string) => void },
): void {

  router.get('/api/v1/nodes', (req) => ({ nodes: listing.list(requireUser(req.user)) }));

  router.post('/api/v1/nodes/:name/rename', (req) => {
    const body = bodyObject(req.body);
    const newName = requiredString(body, 'newName');
    const node = registry.get(req.params.name);
    if (node.type !== 'node') throw new WaltError('not-a-node', `${node.name} is not a node, it is ${typeWithArticle(node.type)}.`, 400);
    checkOwnership([node], requireUser(req.user), 'owned-or-free', optionalBoolean(body, 'confirmed'), audit && { action: 'node rename', log: audit });
    return { device: deviceView(registry.rename(node.name, newName), registry) };
  });

  const nodeSet = (body: Record<string, unknown>, user: string | null) => sets.resolve(requiredString(body, 'set'), user, { nodesOnly: true });

  router.post('/api/v1/nodes/acquire', (req) => {
    const body = bodyObject(req.body);
    return images.acquire(nodeSet(body, req.user), requireUser(req.user), optionalBoolean(body, 'confirmed'));
  });

  router.post('/api/v1/nodes/release', (req) => {
    const body = bodyObject(req.body);
    return images.release(nodeSet(body, req.user), requireUser(req.user));
  });

  router.post('/api/v1/nodes/boot', (req) => {
    const body = bodyObject(req.body);
    const image = requiredString(body, 'image');
    return images.boot(nodeSet(body, req.user), image, requireUser(req.user), optionalBoolean(body, 'confirmed'));
  });
}
