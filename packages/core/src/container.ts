import 'reflect-metadata';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import type { ServerConfig } from './config/server-config.js';
import { DeviceRegistry } from './devices/device-registry.js';
import { registerDeviceServices } from './devices/device-services.js';
import { ExtensionRegistry } from './plugins/extension-registry.js';
import { LogService } from './logs/log-service.js';
import { openDatabase, type Db } from './store/database.js';
import { DevicesRepository } from './store/devices-repository.js';
import { LogsRepository } from './store/logs-repository.js';
import { LeasesRepository } from './store/leases-repository.js';
import { SettingsRepository } from './store/settings-repository.js';
import { serverMac } from './network/server-mac.js';
import { join } from 'node:path';
import { TOKENS } from './tokens.js';
import { DirectoryImageStore } from './images/directory-image-store.js';
import { UnavailableImageStore } from './images/unavailable-image-store.js';
import type { ImageStore } from './images/image-store.js';
import { EngineImageStore } from './images/engine-image-store.js';
import { defaultEngineSocket } from './images/engine-connection.js';
import { existsSync } from 'node:fs';

/**
 * The one place the object graph is built. Each server gets its own child container, so several
 * servers can run in one process (tests).
 */
export function buildContainer(config: ServerConfig, options: { echo?: (line: string) => void } = {}): DependencyContainer {
  const c = rootContainer.createChildContainer();
  const db = openDatabase(join(config.dataDir, 'walt.db'));
  c.registerInstance<ServerConfig>(TOKENS.Config, config);
  c.registerInstance<Db>(TOKENS.Db, db);
  const devicesRepo = new DevicesRepository(db);
  const settings = new SettingsRepository(db);
  c.registerInstance(TOKENS.DevicesRepository, devicesRepo);
  c.registerInstance(TOKENS.SettingsRepository, settings);
  c.registerInstance(TOKENS.LogsRepository, new LogsRepository(db));
  c.registerInstance(TOKENS.LeasesRepository, new LeasesRepository(db));
  const identity = { name: 'walt-server', mac: serverMac(config.network.waltNet.rawDevice, settings) };
  c.registerInstance(TOKENS.ServerIdentity, identity);
  c.registerInstance(
    TOKENS.LogService,
    new LogService(
      c.resolve<LogsRepository>(TOKENS.LogsRepository),
      identity,
      (mac) => devicesRepo.byMac(mac)?.name ?? mac,
      options.echo,
    ),
  );
  c.registerSingleton(TOKENS.DeviceRegistry, DeviceRegistry);
  c.registerInstance(TOKENS.Extensions, new ExtensionRegistry()); // replaced by the plugin host's registry in WaltServer
  registerDeviceServices(c);
  c.registerInstance<ImageStore>(TOKENS.ImageStore, createImageStore(config, c.resolve<LogService>(TOKENS.LogService)));
  return c;
}

/**
 * The image store the config asks for: a folder of unpacked images (images.directory), else the
 * engine on images.engine-socket (Podman's socket by default), else a store whose commands say what
 * to install (the server runs without an engine).
 */
function createImageStore(config: ServerConfig, logs: LogService): ImageStore {
  if (config.images.directory) return new DirectoryImageStore(config.images.directory);
  const socketPath = config.images.engineSocket ?? defaultEngineSocket();
  if (!config.images.engineSocket && !existsSync(socketPath)) return new UnavailableImageStore(`no Podman socket at ${socketPath}`);
  return new EngineImageStore({
    socketPath,
    registries: config.registries,
    dataDir: config.dataDir,
    viewGraceMs: (config.images.viewGraceSeconds ?? 60) * 1000,
    nodeFiles: {
      serverIp: config.network.waltNet.ip.split('/')[0],
      rpcPort: config.api.port || 12345,
      logsPort: config.api.tcpPort || 12347,
      keysDir: join(config.dataDir, 'keys'),
    },
    log: (line, error) => logs.platform('images', line, { error }),
  });
}
