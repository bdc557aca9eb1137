import type { RegistryConfig } from '../config/server-config.js';
import { registryApiBase } from './registry-location.js';

/** A clonable WalT image found in a registry. */
export interface RegistryImage {
  /** "<user>/<name>:<tag>" in the registry. */
  fullname: string;
  models: string[];
}

const MANIFEST_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
].join(', ');
const MAX_REPOSITORIES = 100;

async function getJson<T>(url: string, accept = 'application/json', timeoutMs = 5_000): Promise<T> {
  const res = await fetch(url, { headers: { accept }, signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

/**
 * WalT images of a registry (Docker Registry v2 API: catalog, tags, manifest, config labels) whose
 * name contains `keyword`: only images with the walt.node.models label are WalT images. The Docker
 * Hub has no catalog: its search API gives repository names (models are unknown there).
 */
export async function searchRegistry(r: RegistryConfig, keyword: string): Promise<RegistryImage[]> {
  if (r.api === 'docker-hub') {
    const q = encodeURIComponent(keyword || 'walt');
    const found = await getJson<{ results?: Array<{ repo_name: string }> }>(`https://hub.docker.com/v2/search/repositories/?query=${q}&page_size=50`);
    return (found.results ?? []).filter((x) => x.repo_name.includes('/')).map((x) => ({ fullname: `${x.repo_name}:latest`, models: [] }));
  }
  const base = registryApiBase(r);
  const prefix = r.repository ? `${r.repository}/` : '';
  const catalog = await getJson<{ repositories?: string[] }>(`${base}/v2/_catalog?n=1000`);
  const repos = (catalog.repositories ?? [])
    .filter((name) => name.startsWith(prefix))
    .map((name) => name.slice(prefix.length))
    .filter((name) => name.split('/').length === 2 && name.includes(keyword))
    .slice(0, MAX_REPOSITORIES);
  const out: RegistryImage[] = [];
  for (const repo of repos) {
    const tags = (await getJson<{ tags?: string[] | null }>(`${base}/v2/${prefix}${repo}/tags/list`)).tags ?? [];
    for (const tag of tags) {
      try {
        const manifest = await getJson<{ config?: { digest: string } }>(`${base}/v2/${prefix}${repo}/manifests/${tag}`, MANIFEST_TYPES);
        if (!manifest.config) continue;
        const config = await getJson<{ config?: { Labels?: Record<string, string> | null } }>(`${base}/v2/${prefix}${repo}/blobs/${manifest.config.digest}`);
        const label = config.config?.Labels?.['walt.node.models'];
        if (label) out.push({ fullname: `${repo}:${tag}`, models: label.split(',').map((m) => m.trim()).filter(Boolean) });
      } catch {
        /* a broken tag does not hide the others */
      }
    }
  }
  return out;
}
