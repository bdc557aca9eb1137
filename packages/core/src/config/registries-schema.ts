import { checkKnownKeys, isMapping, isWholeNumber, shown, type Problem } from './config-problems.js';
import type { RegistryConfig } from './server-config.js';

export const REGISTRY_APIS = ['docker-hub', 'docker-registry-v2', 'jfrog-artifactory'] as const;
const PROTOCOLS = ['https', 'http', 'https-no-verify'] as const;
const AUTHS = ['basic', 'none'] as const;
const REGISTRY_KEYS = ['label', 'api', 'description', 'host', 'port', 'protocol', 'auth', 'repository', 'https-verify'];
/** Labels the original keeps for itself. */
const RESERVED_LABELS = ['walt', 'docker'];

export const DEFAULT_REGISTRIES: RegistryConfig[] = [{ label: 'hub', api: 'docker-hub', description: 'Public registry at hub.docker.com' }];

/** The `registries:` list (default: the Docker Hub only). */
export function parseRegistries(value: unknown, p: Problem): RegistryConfig[] {
  if (value === undefined || value === null) return DEFAULT_REGISTRIES.map((r) => ({ ...r }));
  if (!Array.isArray(value)) {
    p('registries', 'expected a list of registries (e.g. "registries: [{label: hub, api: docker-hub}]")');
    return [];
  }
  if (value.length === 0) {
    p('registries', 'empty (WalT needs at least one registry to download default images; e.g. "- {label: hub, api: docker-hub}")');
    return [];
  }
  const out: RegistryConfig[] = [];
  const labels = new Map<string, number>();
  const locations = new Map<string, number>();
  value.forEach((entry, i) => {
    const reg = parseRegistry(`registries[${i}]`, entry, p);
    if (!reg) return;
    const sameLabel = labels.get(reg.label);
    if (sameLabel !== undefined) return p(`registries[${i}].label`, `'${reg.label}' is already the label of registries[${sameLabel}] (labels must be unique)`);
    labels.set(reg.label, i);
    if (reg.host) {
      const location = `${reg.host}:${reg.port}`;
      const sameLocation = locations.get(location);
      if (sameLocation !== undefined) return p(`registries[${i}].host`, `${location} is already the location of registries[${sameLocation}] (one entry per registry)`);
      locations.set(location, i);
    }
    out.push(reg);
  });
  return out;
}

function parseRegistry(key: string, r: unknown, p: Problem): RegistryConfig | undefined {
  if (!isMapping(r)) {
    p(key, 'expected a mapping with label and api (e.g. "{label: hub, api: docker-hub}")');
    return undefined;
  }
  let ok = true;
  const fail: Problem = (k, m) => {
    ok = false;
    p(k, m);
  };
  checkKnownKeys(key, r, REGISTRY_KEYS, fail);
  const api = r.api;
  if (typeof api !== 'string' || !(REGISTRY_APIS as readonly string[]).includes(api)) {
    fail(`${key}.api`, `${api === undefined ? 'missing' : `invalid value ${shown(api)}`} (expected one of ${REGISTRY_APIS.join(', ')})`);
    return undefined;
  }
  const label = r.label;
  if (typeof label !== 'string' || !/^[a-z0-9-]+$/.test(label)) {
    fail(`${key}.label`, `${label === undefined ? 'missing' : `invalid value ${shown(label)}`} (expected lowercase letters, digits and '-', e.g. ${api === 'docker-hub' ? 'hub' : 'lab-registry'})`);
  } else if (api === 'docker-hub' && label !== 'hub') {
    fail(`${key}.label`, `the docker-hub registry is labelled 'hub' (set label: hub)`);
  } else if (api !== 'docker-hub' && (label === 'hub' || RESERVED_LABELS.includes(label))) {
    fail(`${key}.label`, `'${label}' is reserved (choose another label, e.g. lab-registry)`);
  }
  if (r.description !== undefined && typeof r.description !== 'string') fail(`${key}.description`, 'expected a short text');

  if (api === 'docker-hub') {
    for (const k of ['host', 'port', 'protocol', 'auth', 'repository', 'https-verify']) {
      if (r[k] !== undefined) fail(`${key}.${k}`, 'not used by the docker-hub registry (remove it)');
    }
    if (!ok) return undefined;
    return { label: label as string, api, description: (r.description as string | undefined) ?? 'Public registry at hub.docker.com' };
  }

  const host = r.host;
  if (typeof host !== 'string' || !/^[a-zA-Z0-9.:[\]-]+$/.test(host)) {
    fail(`${key}.host`, `${host === undefined ? 'missing' : `invalid value ${shown(host)}`} (the registry's IP address or host name, needed by api ${api})`);
  }
  if (!isWholeNumber(r.port, 1, 65535)) {
    fail(`${key}.port`, `${r.port === undefined ? 'missing' : `invalid value ${shown(r.port)}`} (the registry's TCP port, e.g. 443 or 5000)`);
  }
  let protocol = r.protocol;
  if (protocol === undefined && r['https-verify'] !== undefined) {
    // Older WalT versions wrote "https-verify: true|false".
    if (typeof r['https-verify'] !== 'boolean') fail(`${key}.https-verify`, 'must be true or false (or use protocol: https | http | https-no-verify)');
    protocol = r['https-verify'] ? 'https' : 'https-no-verify';
  }
  protocol ??= 'https';
  if (typeof protocol !== 'string' || !(PROTOCOLS as readonly string[]).includes(protocol)) {
    fail(`${key}.protocol`, `invalid value ${shown(protocol)} (expected one of ${PROTOCOLS.join(', ')})`);
  }
  const auth = r.auth ?? 'none';
  if (typeof auth !== 'string' || !(AUTHS as readonly string[]).includes(auth)) fail(`${key}.auth`, `invalid value ${shown(auth)} (expected basic or none)`);
  const repository = r.repository;
  if (api === 'jfrog-artifactory') {
    if (typeof repository !== 'string' || !repository) fail(`${key}.repository`, `${repository === undefined ? 'missing' : `invalid value ${shown(repository)}`} (the Artifactory repository name, needed by api jfrog-artifactory)`);
  } else if (repository !== undefined) {
    fail(`${key}.repository`, 'only used by api jfrog-artifactory (remove it)');
  }
  if (!ok) return undefined;
  return {
    label: label as string,
    api: api as RegistryConfig['api'],
    ...(r.description !== undefined ? { description: r.description as string } : {}),
    host: host as string,
    port: r.port as number,
    protocol: protocol as RegistryConfig['protocol'],
    auth: auth as RegistryConfig['auth'],
    ...(repository !== undefined ? { repository: repository as string } : {}),
  };
}
