import type { RegistryConfig } from '../config/server-config.js';

/** Where a registry is, as an engine reference prefix (docker.io for the hub). */
export function registryPrefix(r: RegistryConfig): string {
  if (r.api === 'docker-hub') return 'docker.io';
  const host = r.port ? `${r.host}:${r.port}` : r.host!;
  return r.repository ? `${host}/${r.repository}` : host;
}

/** The engine reference of a WalT image (`<user>/<name>:<tag>`) in a registry. */
export function registryRef(r: RegistryConfig, fullname: string): string {
  return `${registryPrefix(r)}/${fullname}`;
}

/** How errors name a registry: "registry 'hub' (docker.io)". */
export function registryWhere(r: RegistryConfig): string {
  return `registry '${r.label}' (${registryPrefix(r)})`;
}

/** Base URL of a registry's HTTP API (v2), for search. */
export function registryApiBase(r: RegistryConfig): string {
  if (r.api === 'docker-hub') return 'https://registry-1.docker.io';
  const scheme = r.protocol === 'http' ? 'http' : 'https';
  return `${scheme}://${r.port ? `${r.host}:${r.port}` : r.host}`;
}
