import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SDK_API_VERSION, isPluginName } from '@walt/sdk';

/** What the host reads from a plugin's package.json, once checked. */
export interface PluginManifest {
  name: string;
  version: string;
  apiVersion: number;
  /** Absolute path of the ES module to import. */
  entry: string;
  dir: string;
}

/**
 * Check a plugin package the way Homebridge and Node-RED do before running any of its code:
 * name pattern, keyword, API version, @walt/sdk as a peer (never bundled), and an entry point.
 * Returns the manifest, or the list of reasons it is refused.
 */
export function readPluginManifest(dir: string): { manifest?: PluginManifest; problems: string[] } {
  const file = join(dir, 'package.json');
  let pkg: Record<string, unknown>;
  try {
    pkg = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    return { problems: [`cannot read ${file} (${(e as Error).message.split('\n')[0]})`] };
  }
  const problems: string[] = [];
  const name = typeof pkg.name === 'string' ? pkg.name : '';
  if (!isPluginName(name)) {
    problems.push(`package name ${JSON.stringify(pkg.name)} is not a plugin name (@walt/plugin-*, walt-plugin-* or @scope/walt-plugin-*)`);
  }
  const version = typeof pkg.version === 'string' ? pkg.version : '';
  if (!version) problems.push('package.json has no version');
  const keywords = Array.isArray(pkg.keywords) ? pkg.keywords : [];
  if (!keywords.includes('walt-plugin')) problems.push("package.json keywords must include 'walt-plugin'");

  const walt = pkg.walt as { apiVersion?: unknown } | undefined;
  const apiVersion = typeof walt?.apiVersion === 'string' ? Number(walt.apiVersion) : walt?.apiVersion;
  if (typeof apiVersion !== 'number' || !Number.isInteger(apiVersion)) {
    problems.push('package.json needs a "walt": {"apiVersion": N} block');
  } else if (apiVersion !== SDK_API_VERSION) {
    problems.push(`written for plugin API version ${apiVersion}, this server speaks version ${SDK_API_VERSION}`);
  }

  const peers = (pkg.peerDependencies ?? {}) as Record<string, unknown>;
  if (!peers['@walt/sdk']) problems.push('@walt/sdk must be a peerDependency');
  for (const field of ['dependencies', 'bundledDependencies', 'bundleDependencies']) {
    const deps = pkg[field];
    const names = Array.isArray(deps) ? deps : Object.keys((deps ?? {}) as object);
    for (const host of ['@walt/sdk', '@walt/core']) {
      if (names.includes(host)) problems.push(`bundles ${host} in ${field} (it must be a peerDependency, shared with the server)`);
    }
  }
  if (existsSync(join(dir, 'node_modules', '@walt', 'sdk'))) {
    problems.push('ships its own copy of @walt/sdk in node_modules (remove it: the server provides the SDK)');
  }

  const entryRel = entryOf(pkg);
  if (!entryRel) problems.push('package.json has no entry point ("exports" or "main")');
  const entry = entryRel ? join(dir, entryRel) : '';
  if (entryRel && !existsSync(entry)) problems.push(`entry point ${entryRel} does not exist (was the plugin built?)`);

  if (problems.length) return { problems };
  return { manifest: { name, version, apiVersion: apiVersion as number, entry, dir }, problems };
}

/** The ES entry point: exports["."] (import/default) or exports as a string, else main, else index.js. */
function entryOf(pkg: Record<string, unknown>): string | undefined {
  const exp = pkg.exports;
  const pick = (e: unknown): string | undefined => {
    if (typeof e === 'string') return e;
    if (e && typeof e === 'object') {
      const o = e as Record<string, unknown>;
      return pick(o.import) ?? pick(o.default) ?? pick(o.node);
    }
    return undefined;
  };
  if (exp !== undefined) {
    if (typeof exp === 'string') return exp;
    const o = exp as Record<string, unknown>;
    return pick('.' in o ? o['.'] : o);
  }
  if (typeof pkg.main === 'string') return pkg.main;
  return 'index.js';
}
