import type { DependencyContainer } from 'tsyringe';
import { registerImageRoutes } from '../api/image-routes.js';
import type { Router } from '../api/router.js';
import type { ServerConfig } from '../config/server-config.js';
import type { DeviceRegistry } from '../devices/device-registry.js';
import type { LogService } from '../logs/log-service.js';
import { TOKENS } from '../tokens.js';
import { DefaultImages } from './default-images.js';
import { DirectoryImageStore } from './directory-image-store.js';
import { noEngineError } from './engine-connection.js';
import { EngineImageStore } from './engine-image-store.js';
import type { ImageStore } from './image-store.js';
import { ImageService } from './image-service.js';
import { UnavailableImageStore } from './unavailable-image-store.js';

/**
 * Images at server start: the image routes, and (with an engine that answers, or an image folder)
 * the default-image provider of registration: a node of a never-seen model stays unknown while its default image is
 * pulled (the DHCP service installs an equivalent provider of its own when it runs). Returns what to
 * do at stop (unmount views).
 */
export async function startImageService(c: DependencyContainer, router: Router): Promise<() => Promise<void>> {
  const store = c.resolve<ImageStore>(TOKENS.ImageStore);
  const config = c.resolve<ServerConfig>(TOKENS.Config);
  const registry = c.resolve<DeviceRegistry>(TOKENS.DeviceRegistry);
  const logs = c.resolve<LogService>(TOKENS.LogService);
  const defaults = new DefaultImages(store);
  if (store instanceof EngineImageStore) {
    // Only a real engine can pull: without one, new nodes are registered at once (as before images).
    if (await store.available()) {
      // The start-up line says which engine serves the images (issue 10: users could not tell).
      const kind = await store.engine.kind().catch(() => 'image engine');
      logs.platform('images', `images served by ${kind} on ${store.engine.socketPath}`);
      await defaults.refresh();
      registry.setDefaultImageProvider(defaults);
    } else {
      logs.platform('images', `${noEngineError(`nothing answers on ${store.engine.socketPath}`).message}; until then walt image commands fail and nodes cannot get their default image`, { error: true });
    }
  } else if (store instanceof DirectoryImageStore) {
    logs.platform('images', `images served from the folder ${store.dir} (images.directory)`);
    await defaults.refresh();
    registry.setDefaultImageProvider(defaults);
  } else {
    const what = store instanceof UnavailableImageStore ? store.error().message : 'no image engine';
    logs.platform('images', `${what}; until then walt image commands fail and nodes cannot get their default image`, { error: true });
  }
  registerImageRoutes(router, new ImageService(store, registry, config.registries, logs, defaults), store, (config.images.maxArchiveMiB ?? 4096) * 1024 * 1024);
  return () => store.close();
}
