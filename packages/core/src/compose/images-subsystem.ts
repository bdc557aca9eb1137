import { registerImageBuildRoutes } from '../api/image-build-routes.js';
import { registerImageRoutes } from '../api/image-routes.js';
import { registerImageShellRoutes } from '../api/image-shell-routes.js';
import { registerNodeSaveRoutes, type NodeSaveDeps } from '../api/node-save-routes.js';
import type { ServerConfig } from '../config/server-config.js';
import type { DeviceRegistry } from '../devices/device-registry.js';
import type { DefaultImages } from '../images/default-images.js';
import { DirectoryImageStore } from '../images/directory-image-store.js';
import { noEngineError } from '../images/engine-connection.js';
import { EngineImageStore } from '../images/engine-image-store.js';
import type { ImageStore } from '../images/image-store.js';
import { ImageBuildService } from '../images/image-build-service.js';
import { ImageService } from '../images/image-service.js';
import { ImageShellService } from '../images/image-shell-service.js';
import { UnavailableImageStore } from '../images/unavailable-image-store.js';
import type { LogService } from '../logs/log-service.js';
import type { NodeImageService } from '../nodes/node-image-service.js';
import type { Subsystem } from './subsystem.js';

export interface ImagesDeps {
  config: ServerConfig;
  store: ImageStore;
  defaults: DefaultImages;
  registry: DeviceRegistry;
  logs: LogService;
  /** Reboots the nodes of an image replaced under the same name (build, squash). */
  nodeImages: NodeImageService;
  /** What `walt node save` needs to read a node's changes (booted nodes, the server's SSH connections). */
  nodeSave: NodeSaveDeps;
}

/**
 * Images: the image routes, and at start (with an engine that answers, or an image folder) the
 * default images of registration: a node of a never-seen model stays unknown while its default image
 * is pulled (the DHCP service enables that on a real walt-net in any case). Stop unmounts views.
 */
export function composeImages({ config, store, defaults, registry, logs, nodeImages, nodeSave }: ImagesDeps): Subsystem {
  const service = new ImageService(store, registry, config.registries, logs, defaults);
  const builds = new ImageBuildService(store, registry, logs, config.dataDir, (fullname) => nodeImages.imageReplaced(fullname));
  const shells = new ImageShellService(store, registry, logs, (fullname) => nodeImages.imageReplaced(fullname));
  const maxArchiveBytes = (config.images.maxArchiveMiB ?? 4096) * 1024 * 1024;
  return {
    name: 'images',
    routes: (router) => {
      registerImageRoutes(router, service, store, maxArchiveBytes, { devices: registry, logs });
      registerImageBuildRoutes(router, builds, maxArchiveBytes);
      registerImageShellRoutes(router, shells);
      registerNodeSaveRoutes(router, builds, nodeSave);
    },
    start: async () => {
      if (store instanceof EngineImageStore) {
        // Only a real engine can pull: without one, new nodes are registered at once (as before images).
        if (await store.available()) {
          // The start-up line says which engine serves the images (issue 10: users could not tell).
          const kind = await store.engine.kind().catch(() => 'image engine');
          logs.platform('images', `images served by ${kind} on ${store.engine.socketPath}`);
          await defaults.refresh();
          defaults.enable();
        } else {
          logs.platform('images', `${noEngineError(`nothing answers on ${store.engine.socketPath}`).message}; until then walt image commands fail and nodes cannot get their default image`, { error: true });
        }
      } else if (store instanceof DirectoryImageStore) {
        logs.platform('images', `images served from the folder ${store.dir} (images.directory)`);
        await defaults.refresh();
        defaults.enable();
      } else {
        const what = store instanceof UnavailableImageStore ? store.error().message : 'no image engine';
        logs.platform('images', `${what}; until then walt image commands fail and nodes cannot get their default image`, { error: true });
      }
    },
    stop: async () => {
      await shells.close();
      await store.close();
    },
  };
}
