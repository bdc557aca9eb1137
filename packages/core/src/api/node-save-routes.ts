import { WaltError } from '../errors.js';
import type { DeviceRegistry } from '../devices/device-registry.js';
import type { ImageBuildService } from '../images/image-build-service.js';
import { dumpNodeChanges } from '../nodes/node-changes-dump.js';
import type { NodeBootStatus } from '../nodes/node-boot-status.js';
import { requireUser } from '../nodes/node-ownership.js';
import type { NodeSshPool } from '../nodes/ssh/node-ssh-pool.js';
import { workingSetImage } from '../nodes/working-set-image.js';
import { bodyObject, optionalBoolean, requiredString } from './device-routes.js';
import { withProgress } from './image-routes.js';
import { reachableNodeFor } from './node-session-routes.js';
import type { Router } from './router.js';

export interface NodeSaveDeps {
  registry: DeviceRegistry;
  status: NodeBootStatus;
  ssh: NodeSshPool;
}

/**
 * `walt node save <node> <image>`: the files created or modified on a booted node (its writable
 * layer, read over the server's SSH connection) saved on top of the image it booted as the user's
 * image. The overwrite question is the build's (GET /api/v1/images/:name/build); the node itself
 * is left as it is, the nodes of a replaced image reboot onto the new version.
 */
export function registerNodeSaveRoutes(router: Router, builds: ImageBuildService, deps: NodeSaveDeps): void {
  router.post('/api/v1/nodes/:name/save', (req) => {
    const user = requireUser(req.user);
    const body = bodyObject(req.body);
    const image = requiredString(body, 'image');
    workingSetImage(user, image); // a bad name fails before the node is reached
    const node = reachableNodeFor(deps, req.params.name, user, optionalBoolean(body, 'confirmed'));
    if (!node.image) throw new WaltError('no-image', `${node.name} has no image to start from`, 409);
    const booted = { name: node.name, image: node.image };
    return withProgress(req, (progress) => builds.saveNodeChanges(user, image, booted, (file) => dumpNodeChanges(deps.ssh, node, file), progress));
  });
}
