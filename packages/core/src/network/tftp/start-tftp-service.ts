import { join } from 'node:path';
import type { ServerConfig } from '../../config/server-config.js';
import type { DeviceRegistry } from '../../devices/device-registry.js';
import type { ImageStore } from '../../images/image-store.js';
import type { LogService } from '../../logs/log-service.js';
import type { ExtensionRegistry } from '../../plugins/extension-registry.js';
import { HttpBootServer } from './http-boot-server.js';
import { parseTftpConfig } from './tftp-config.js';
import { TftpService } from './tftp-service.js';

/** Start TFTP on the walt-net address (config `services.tftp`); undefined when disabled. */
export async function startTftpService(deps: {
  config: ServerConfig;
  devices: DeviceRegistry;
  images: ImageStore;
  extensions: ExtensionRegistry;
  logs: LogService;
}): Promise<TftpService | undefined> {
  const { config } = deps;
  const tftp = parseTftpConfig(config.services);
  if (!tftp.enabled) return undefined;
  const serverIp = config.network.waltNet.ip.split('/')[0];
  const service = new TftpService(
    { devices: deps.devices, images: deps.images, extensions: deps.extensions, logs: deps.logs },
    { host: serverIp, port: tftp.port, serverIp, staticDir: join(config.dataDir, 'tftp-static'), limits: tftp.limits, transfers: tftp.transfers },
  );
  const port = await service.start();
  const logs = deps.logs;
  logs.platform('tftp', `TFTP server listening on ${serverIp}:${port} (transfers on ${service.describeTransfers()})`);
  if (tftp.httpPort) {
    const http = new HttpBootServer(service, (line, error) => logs.platform('tftp', line, { error }));
    try {
      const httpPort = await http.listen(serverIp, tftp.httpPort);
      logs.platform('tftp', `boot files also served over HTTP on ${serverIp}:${httpPort} (GET /boot/<name>)`);
      service.onStop(() => http.stop());
    } catch (e) {
      logs.platform('tftp', `cannot serve boot files over HTTP on ${serverIp}:${tftp.httpPort} (${(e as Error).message}); nodes fall back to TFTP`, { error: true });
    }
  }
  return service;
}
