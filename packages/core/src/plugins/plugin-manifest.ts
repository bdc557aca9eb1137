import { existsSync, readFileSync } from 'node:fs';
import { join, normalize } from 'node:path';
import semver from 'semver';
import { SDK_API_VERSION, SDK_VERSION, isPluginName } from '@walt/sdk';

/** What the host reads from a plugin's package.json, once checked. */
export interface PluginManifest {
  name: string;
  version: string;
  apiVersion: number;
  /** Absolute path of the ES module to import. */
  entry: string;
  dir: string;
}

/** The outcome of a manifest check: the manifest, or every reason the package is refused. */
export interface ManifestCheck {
  /** The package name as written, even when it is not a valid plugin name (for messages). */
  name: string | null;
  version: string | null;
  manifest?: PluginManifest;
  problems: string[];
}

/** What a check needs to know of the package's files, on disk or inside a tarball. */
export interface PackageFiles {
  /** Is there a file or folder at this path (relative to the package root, forward slashes)? */
  has(relativePath: string): boolean;
}

/** Packages a plugin must share with the server, never bring its own copy of. */
const HOST_PACKAGES = ['@walt/sdk', '@walt/core'];

/**
 * Check a plugin package the way Homebridge and Node-RED do before running any of its code: name
 * pattern, keyword, API version, @walt/sdk as a peer whose range this server's SDK satisfies, no
 * bundled copy of the SDK or core, and an entry point that exists inside the package.
 */
export function checkPluginPackage(pkg: unknown, dir: string, files: PackageFiles): ManifestCheck {
  if (typeof pkg !== 'object' || pkg === null || Array.isArray(pkg)) {
    return { name: null, version: null, problems: ['package.json is not a JSON object'] };
  }
  const p = pkg as Record<string, unknown>;
  const problems: string[] = [];
  const name = typeof p.name === 'string' && p.name ? p.name : null;
  const version = typeof p.version === 'string' && p.version ? p.version : null;
  if (!name || !isPluginName(name)) {
    problems.push(`package name ${JSON.stringify(p.name ?? null)} is not a plugin name (use @walt/plugin-*, walt-plugin-* or @scope/walt-plugin-*)`);
  }
  if (!version || !semver.valid(version)) problems.push(`package.json version ${JSON.stringify(p.version ?? null)} is not a semver version`);
  const keywords = Array.isArray(p.keywords) ? p.keywords : [];
  if (!keywords.includes('walt-plugin')) problems.push("package.json keywords must include 'walt-plugin'");

  const walt = p.walt as { apiVersion?: unknown } | undefined;
  const rawApi = walt?.apiVersion;
  const apiVersion = typeof rawApi === 'string' && /^\d+$/.test(rawApi) ? Number(rawApi) : rawApi;
  if (typeof apiVersion !== 'number' || !Number.isSafeInteger(apiVersion)) {
    problems.push('package.json needs a "walt": {"apiVersion": N} block');
  } else if (apiVersion !== SDK_API_VERSION) {
    problems.push(`written for plugin API version ${apiVersion}, this server speaks version ${SDK_API_VERSION}`);
  }

  const peers = isRecord(p.peerDependencies) ? p.peerDependencies : {};
  const sdkRange = peers['@walt/sdk'];
  if (typeof sdkRange !== 'string' || !sdkRange) {
    problems.push('@walt/sdk must be a peerDependency (e.g. "peerDependencies": {"@walt/sdk": "^1"})');
  } else if (semver.validRange(sdkRange) === null) {
    problems.push(`peerDependencies @walt/sdk ${JSON.stringify(sdkRange)} is not a semver range`);
  } else if (!semver.satisfies(SDK_VERSION, sdkRange, { includePrerelease: true })) {
    problems.push(`requires @walt/sdk ${sdkRange}, this server provides ${SDK_VERSION}`);
  }
  for (const field of ['dependencies', 'optionalDependencies', 'bundledDependencies', 'bundleDependencies']) {
    const deps = p[field];
    const names = Array.isArray(deps) ? deps : isRecord(deps) ? Object.keys(deps) : [];
    for (const host of HOST_PACKAGES) {
      if (names.includes(host)) problems.push(`bundles ${host} in ${field} (make it a peerDependency: the server provides it)`);
    }
  }
  for (const host of HOST_PACKAGES) {
    if (files.has(`node_modules/${host}`)) problems.push(`ships its own copy of ${host} in node_modules (remove it: the server provides it)`);
  }

  const entryRel = entryOf(p);
  let entry = '';
  if (!entryRel) problems.push('package.json has no ES entry point ("exports" "." with "import" or "default", or "main")');
  else {
    const rel = normalize(entryRel).replace(/\\/g, '/').replace(/^\.\//, '');
    if (rel.startsWith('../') || rel === '..' || rel.startsWith('/')) problems.push(`entry point ${entryRel} is outside the package`);
    else if (!files.has(rel)) problems.push(`entry point ${entryRel} is missing from the package (was the plugin built before packing?)`);
    else entry = join(dir, rel);
  }

  if (problems.length) return { name, version, problems };
  return { name, version, problems, manifest: { name: name!, version: version!, apiVersion: apiVersion as number, entry, dir } };
}

/**
 * Check the plugin package installed in a folder. A `devFolder` (a working folder loaded by
 * --plugin-dir) may hold the SDK in node_modules: its author installed it to build and test.
 */
export function readPluginManifest(dir: string, options: { devFolder?: boolean } = {}): ManifestCheck {
  const file = join(dir, 'package.json');
  let pkg: unknown;
  try {
    pkg = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    return { name: null, version: null, problems: [`cannot read ${file} (${(e as Error).message.split('\n')[0]})`] };
  }
  const hostCopy = (rel: string) => options.devFolder === true && HOST_PACKAGES.some((h) => rel === `node_modules/${h}`);
  return checkPluginPackage(pkg, dir, { has: (rel) => !hostCopy(rel) && existsSync(join(dir, rel)) });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The ES entry point: exports["."] (import/node/default, nested) or a string export, else main, else index.js. */
export function entryOf(pkg: Record<string, unknown>): string | undefined {
  const pick = (e: unknown): string | undefined => {
    if (typeof e === 'string') return e;
    if (Array.isArray(e)) return e.map(pick).find((x) => x !== undefined);
    if (isRecord(e)) return pick(e.import) ?? pick(e.node) ?? pick(e.default);
    return undefined;
  };
  const exp = pkg.exports;
  if (exp !== undefined && exp !== null) {
    if (typeof exp === 'string' || Array.isArray(exp)) return pick(exp);
    if (isRecord(exp)) {
      const subpaths = Object.keys(exp).some((k) => k.startsWith('.'));
      return pick(subpaths ? exp['.'] : exp);
    }
    return undefined;
  }
  if (typeof pkg.main === 'string' && pkg.main) return pkg.main;
  return 'index.js';
}
