import type { ServerConfig } from '../../config/server-config.js';
import type { DeviceRegistry } from '../../devices/device-registry.js';
import type { ImageStore } from '../../images/image-store.js';
import type { LogService } from '../../logs/log-service.js';
import { dirname } from 'node:path';
import { GaneshaDaemon } from './ganesha-daemon.js';
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

/**
 * Start keeping the NFS exports up to date (config `services.nfs`), and nfs-ganesha itself when the
 * server runs it; says which NFS server serves. Undefined when there is none.
 */
export async function startNfsService(deps: { config: ServerConfig; devices: DeviceRegistry; images: ImageStore; logs: LogService }): Promise<NfsExportsService | undefined> {
  const { config, logs } = deps;
  const nfs = parseNfsConfig(config.services, config.dataDir);
  if (nfs.server === 'none') {
    logs.platform('nfs', 'no NFS server: this kernel has no nfsd and nfs-ganesha is not installed (apt install nfs-ganesha nfs-ganesha-vfs); nodes cannot mount their root filesystem');
    return undefined;
  }
  let ganesha: GaneshaDaemon | undefined;
  if (nfs.server === 'kernel') logs.platform('nfs', `NFS server: the kernel's nfsd (exports in ${nfs.exportsDir})`);
  else if (!nfs.ganeshaManaged) logs.platform('nfs', `NFS server: nfs-ganesha run by the system (pid file ${nfs.ganeshaPidFile}, exports in ${nfs.ganeshaExportsFile})`);
  else {
    ganesha = new GaneshaDaemon({
      dir: dirname(nfs.ganeshaExportsFile),
      exportsFile: nfs.ganeshaExportsFile,
      pidFile: nfs.ganeshaPidFile,
      log: (line, error) => logs.platform('nfs', line, { error }),
    });
  }
  const service = new NfsExportsService(
    { devices: deps.devices, images: deps.images, logs },
    nfs,
    config.dataDir,
    subnetOf(config.network.waltNet.ip),
    // A node given another image keeps its former root as long as an unused image view stays mounted.
    { exportGraceMs: (config.images.viewGraceSeconds ?? 60) * 1000 },
  );
  // Exports first, so that ganesha starts with the current ones.
  await service.start();
  if (ganesha) {
    try {
      await ganesha.start();
    } catch (e) {
      service.stop();
      throw e;
    }
    service.onStop(() => ganesha!.stop());
  }
  return service;
}
