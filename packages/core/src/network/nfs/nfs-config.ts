import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { WaltError } from '../../errors.js';

export type NfsServerKind = 'kernel' | 'ganesha' | 'none';

/** The `services: nfs:` section. */
export interface NfsConfig {
  server: NfsServerKind;
  /** Kernel server: where walt.exports and walt-persist.exports go. */
  exportsDir: string;
  /** nfs-ganesha: the file of EXPORT blocks (to %include from ganesha.conf). */
  ganeshaExportsFile: string;
  /** nfs-ganesha: its pid file; SIGHUP reloads the exports. */
  ganeshaPidFile: string;
  /**
   * nfs-ganesha started and stopped by walt-server (the default); false when `ganesha-pid-file`
   * names the pid file of a ganesha run by the system.
   */
  ganeshaManaged: boolean;
  /** How often the platform is checked for changes, ms. */
  checkIntervalMs: number;
}

const KEYS = ['server', 'exports-dir', 'ganesha-exports-file', 'ganesha-pid-file', 'check-interval-ms'];

/**
 * Is a kernel NFS server usable here? Its RPC statistics exist only when nfsd is loaded (an empty
 * /proc/fs/nfsd folder does not say so), and exports are applied with exportfs (nfs-kernel-server).
 */
export function kernelNfsServerAvailable(): boolean {
  if (!existsSync('/proc/net/rpc/nfsd')) return false;
  return (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':').some((d) => d && existsSync(join(d, 'exportfs')));
}

function ganeshaInstalled(): boolean {
  return (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':').some((d) => d && existsSync(join(d, 'ganesha.nfsd')));
}

/**
 * Read `services.nfs`. Default server: the kernel's where the kernel has one, else nfs-ganesha when
 * installed (run by walt-server), else none.
 */
export function parseNfsConfig(services: Record<string, unknown>, dataDir: string): NfsConfig {
  const raw = services.nfs ?? {};
  const bad = (key: string, what: string) => new WaltError('config-invalid', `services.nfs.${key}: ${what}`);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new WaltError('config-invalid', 'services.nfs: expected a mapping (e.g. "nfs: {server: ganesha}")');
  const n = raw as Record<string, unknown>;
  for (const k of Object.keys(n)) if (!KEYS.includes(k)) throw bad(k, `unknown key (known: ${KEYS.join(', ')})`);
  const server = n.server ?? (kernelNfsServerAvailable() ? 'kernel' : ganeshaInstalled() ? 'ganesha' : 'none');
  if (server !== 'kernel' && server !== 'ganesha' && server !== 'none') throw bad('server', "must be 'kernel', 'ganesha' or 'none'");
  const path = (key: string, dflt: string): string => {
    const v = n[key];
    if (v === undefined) return dflt;
    if (typeof v !== 'string' || !v.startsWith('/')) throw bad(key, 'must be an absolute path');
    return v;
  };
  const interval = n['check-interval-ms'] ?? 2000;
  if (typeof interval !== 'number' || !Number.isInteger(interval) || interval < 100) throw bad('check-interval-ms', 'must be a whole number of milliseconds, at least 100');
  return {
    server,
    exportsDir: path('exports-dir', '/etc/exports.d'),
    ganeshaExportsFile: path('ganesha-exports-file', join(dataDir, 'nfs', 'ganesha-walt-exports.conf')),
    ganeshaPidFile: path('ganesha-pid-file', join(dataDir, 'nfs', 'ganesha.pid')),
    ganeshaManaged: n['ganesha-pid-file'] === undefined,
    checkIntervalMs: interval,
  };
}
