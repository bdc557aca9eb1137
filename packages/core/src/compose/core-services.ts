import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { SnmpSessionFactory } from '@walt/sdk';
import type { ServerConfig } from '../config/server-config.js';
import { DeviceCleanups } from '../devices/device-cleanups.js';
import { DeviceConfigService } from '../devices/device-config.js';
import { DeviceRegistry } from '../devices/device-registry.js';
import { DeviceSets } from '../devices/device-set.js';
import { DefaultImages } from '../images/default-images.js';
import { DirectoryImageStore } from '../images/directory-image-store.js';
import { defaultEngineSocket } from '../images/engine-connection.js';
import { EngineImageStore } from '../images/engine-image-store.js';
import type { ImageStore } from '../images/image-store.js';
import { UnavailableImageStore } from '../images/unavailable-image-store.js';
import { LogService } from '../logs/log-service.js';
import { serverMac } from '../network/server-mac.js';
import { NodeImageService } from '../nodes/node-image-service.js';
import type { ExtensionRegistry } from '../plugins/extension-registry.js';
import { DEFAULT_NODE_LOG_QUOTA_MIB } from '../config/config-schema.js';
import { LogQuota } from '../logs/log-quota.js';
import { PluginHost } from '../plugins/plugin-host.js';
import { writePluginState } from '../plugins/plugin-state.js';
import { openDatabase, type Db } from '../store/database.js';
import { DevicesRepository } from '../store/devices-repository.js';
import { LeasesRepository } from '../store/leases-repository.js';
import { LogsRepository } from '../store/logs-repository.js';
import { SettingsRepository } from '../store/settings-repository.js';

export interface CoreOptions {
  /** Where daemon lines go (stdout by default). */
  echo?: (line: string) => void;
  /** SNMP sessions for switch drivers (net-snmp by default). */
  snmp: SnmpSessionFactory;
  /** The image store to use instead of the one the config asks for (tests). */
  imageStore?: ImageStore;
  /** When this server started (the plugin state file records it). */
  startedAt?: string;
}

/** The services every subsystem builds on, one set per server (several servers can run in one process: tests). */
export interface CoreServices {
  config: ServerConfig;
  db: Db;
  devicesRepo: DevicesRepository;
  settingsRepo: SettingsRepository;
  logsRepo: LogsRepository;
  leasesRepo: LeasesRepository;
  identity: { name: string; mac: string };
  logs: LogService;
  /** Created before anything that reads the registry, and never replaced. */
  plugins: PluginHost;
  extensions: ExtensionRegistry;
  images: ImageStore;
  defaultImages: DefaultImages;
  /** How every table referencing devices forgets one: subsystems add theirs in the composition root. */
  cleanups: DeviceCleanups;
  registry: DeviceRegistry;
  sets: DeviceSets;
  deviceConfig: DeviceConfigService;
  nodeImages: NodeImageService;
  snmp: SnmpSessionFactory;
}

/** Build the core services explicitly, in dependency order. Nothing here opens a socket. */
export function composeCore(config: ServerConfig, options: CoreOptions): CoreServices {
  const db = openDatabase(join(config.dataDir, 'walt.db'));
  const devicesRepo = new DevicesRepository(db);
  const settingsRepo = new SettingsRepository(db);
  const logsRepo = new LogsRepository(db);
  const leasesRepo = new LeasesRepository(db);
  const identity = { name: 'walt-server', mac: serverMac(config.network.waltNet.rawDevice, settingsRepo) };
  const issuerName = (mac: string) => devicesRepo.byMac(mac)?.name ?? mac;
  const logs = new LogService(logsRepo, identity, issuerName, options.echo, (records) => logQuota.committed(records));
  const logQuota = new LogQuota(logsRepo, {
    bytesPerIssuer: (config.logs?.nodeQuotaMiB ?? DEFAULT_NODE_LOG_QUOTA_MIB) * 1024 * 1024,
    exempt: (mac) => mac === identity.mac,
    nameOf: issuerName,
    report: (line) => logs.platform('logs', line),
  });
  const startedAt = options.startedAt ?? new Date().toISOString();
  const plugins = new PluginHost({
    timeoutMs: config.pluginTimeoutMs,
    callTimeoutMs: config.pluginCallTimeoutMs,
    isolateThirdParty: true,
    dataDir: config.dataDir,
    snmp: options.snmp,
    log: (plugin, level, message) => {
      if (level === 'debug') return;
      logs.platform(`plugins`, `${plugin}: ${message}`, { error: level === 'error' });
    },
    report: (line, isError) => logs.platform('plugins', line, { error: isError }),
    onChange: (results) => {
      const now = new Date().toISOString();
      writePluginState(config.dataDir, { pid: process.pid, startedAt, updatedAt: now, results: [...results] });
    },
  });
  const extensions = plugins.registry;
  const images = options.imageStore ?? createImageStore(config, logs);
  const defaultImages = new DefaultImages(images);
  const cleanups = new DeviceCleanups();
  const registry = new DeviceRegistry(devicesRepo, logs, extensions, config, cleanups, defaultImages);
  return {
    config,
    db,
    devicesRepo,
    settingsRepo,
    logsRepo,
    leasesRepo,
    identity,
    logs,
    plugins,
    extensions,
    images,
    defaultImages,
    cleanups,
    registry,
    sets: new DeviceSets(registry),
    deviceConfig: new DeviceConfigService(registry, extensions),
    nodeImages: new NodeImageService(registry, images, logs),
    snmp: options.snmp,
  };
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
