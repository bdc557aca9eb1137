import type { ServerConfig } from '../../config/server-config.js';
import type { DeviceRegistry } from '../../devices/device-registry.js';
import type { ImageStore } from '../../images/image-store.js';
import type { LogService } from '../../logs/log-service.js';
import { parseNfsConfig } from './nfs-config.js';
import { NfsExportsService } from './nfs-exports-service.js';

/** "192.168.152.1/24" → "192.168.152.0/24". */
export function subnetOf(cidr: string): string {
  const [addr, prefix] = cidr.split('/');
  const n = addr.split('.').reduce((a, b) => (a << 8) + Number(b), 0) >>> 0;
  const bits = Number(prefix);
  const net = bits === 0 ? 0 : (n & (~0 << (32 - bits))) >>> 0;
  return `${[24, 16, 8, 0].map((s) => (net >>> s) & 255).join('.')}/${bits}`;
}

/** Start keeping the NFS exports up to date (config `services.nfs`); undefined when there is no NFS server. */
export async function startNfsService(deps: { config: ServerConfig; devices: DeviceRegistry; images: ImageStore; logs: LogService }): Promise<NfsExportsService | undefined> {
  const { config, logs } = deps;
  const nfs = parseNfsConfig(config.services, config.dataDir);
  if (nfs.server === 'none') {
    logs.platform('nfs', 'no NFS server (this kernel has no nfsd): set services.nfs.server to ganesha to export images with nfs-ganesha');
    return undefined;
  }
  const service = new NfsExportsService(
    { devices: deps.devices, images: deps.images, logs },
    nfs,
    config.dataDir,
    subnetOf(config.network.waltNet.ip),
  );
  await service.start();
  return service;
}
