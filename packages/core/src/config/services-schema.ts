import { WaltError } from '../errors.js';
import { parseNfsConfig } from '../network/nfs/nfs-config.js';
import { parseTftpConfig } from '../network/tftp/tftp-config.js';
import { checkKnownKeys, isMapping, shown, type Problem } from './config-problems.js';

/**
 * Services this server runs itself, whose sections hold their own settings (validated here by the
 * service's parser, so a bad value is refused at load time with its key named).
 */
const OWN_SERVICES: Record<string, (section: Record<string, unknown>) => void> = {
  tftp: (section) => void parseTftpConfig({ tftp: section }),
  nfs: (section) => void parseNfsConfig({ nfs: section }, '/'),
};
import type { ServiceConfig } from './server-config.js';

/** The original's default, omitted from the file when equal. */
export const DEFAULT_SERVICES: Record<string, ServiceConfig> = { nfsd: { 'service-name': 'nfs-kernel-server.service' } };

/** The `services:` section: which systemd unit runs each service the server relies on (e.g. nfsd). */
export function parseServices(value: unknown, p: Problem): Record<string, ServiceConfig> {
  const services: Record<string, ServiceConfig> = structuredClone(DEFAULT_SERVICES);
  if (value === undefined || value === null) return services;
  if (!isMapping(value)) {
    p('services', 'expected a mapping (e.g. "services: {nfsd: {service-name: nfs-kernel-server.service}}")');
    return services;
  }
  for (const [name, entry] of Object.entries(value)) {
    const key = `services.${name}`;
    const own = OWN_SERVICES[name];
    if (own && isMapping(entry)) {
      try {
        own(entry);
        services[name] = entry as ServiceConfig;
      } catch (e) {
        if (!(e instanceof WaltError)) throw e;
        const [where, ...what] = e.message.split(': ');
        p(where, what.join(': '));
      }
      continue;
    }
    if (!isMapping(entry)) {
      p(key, 'expected a mapping (e.g. "{service-name: nfs-kernel-server.service}")');
      continue;
    }
    checkKnownKeys(key, entry, ['service-name'], p);
    const unit = entry['service-name'];
    if (typeof unit !== 'string' || !/^[\w@.:-]+\.service$/.test(unit)) {
      p(`${key}.service-name`, `${unit === undefined ? 'missing' : `invalid value ${shown(unit)}`} (expected a systemd unit name, e.g. nfs-kernel-server.service)`);
      continue;
    }
    services[name] = { 'service-name': unit };
  }
  return services;
}
