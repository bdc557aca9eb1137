import { registerImageRoutes } from '../api/image-routes.js';
import type { ServerConfig } from '../config/server-config.js';
import type { DeviceRegistry } from '../devices/device-registry.js';
import type { DefaultImages } from '../images/default-images.js';
import { DirectoryImageStore } from '../images/directory-image-store.js';
import { EngineImageStore } from '../images/engine-image-store.js';
import type { ImageStore } from '../images/image-store.js';
import { ImageService } from '../images/image-service.js';
import type { LogService } from '../logs/log-service.js';
import type { Subsystem } from './subsystem.js';

export interface ImagesDeps {
  config: ServerConfig;
  store: ImageStore;
  defaults: DefaultImages;
  registry: DeviceRegistry;
  logs: LogService;
}

/**
 * Images: the image routes, and at start (with an engine that answers, or an image folder) the
 * default images of registration: a node of a never-seen model stays unknown while its default image
 * is pulled (the DHCP service enables that on a real walt-net in any case). Stop unmounts views.
 */
export function composeImages({ config, store, defaults, registry, logs }: ImagesDeps): Subsystem {
  const service = new ImageService(store, registry, config.registries, logs, defaults);
  return {
    name: 'images',
    routes: (router) => registerImageRoutes(router, service, store),
    start: async () => {
      if (store instanceof EngineImageStore) {
        // Only a real engine can pull: without one, new nodes are registered at once (as before images).
        if (await store.available()) {
          await defaults.refresh();
          defaults.enable();
        } else {
          logs.platform('images', `no image engine answers on ${store.engine.socketPath}: image commands will say what to install`, { error: true });
        }
      } else if (store instanceof DirectoryImageStore) {
        await defaults.refresh();
        defaults.enable();
      } else {
        logs.platform('images', 'no image engine: image commands will say what to install (see walt image show)', { error: true });
      }
    },
    stop: () => store.close(),
  };
}
