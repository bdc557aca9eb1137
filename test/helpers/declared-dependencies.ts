import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';

/**
 * Compare what a package.json declares with what the package's code imports, so declared
 * dependencies cannot drift from the code again (issue 11: tsyringe, reflect-metadata and net-snmp
 * stayed in @walt/core's dependencies after the last import went).
 */
export interface DependencyProblem {
  pkg: string;
  problem: string;
}

type Manifest = {
  name: string;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
};

const SOURCE = /\.(?:[cm]?ts|[cm]?js)$/;
const TEST_FILE = /\.test\.[cm]?[jt]s$|(^|\/)test\//;
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'build', '.git', 'fixtures']);
// import x from 'p' / import 'p' / export ... from 'p' / import('p') / require('p')
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"]([^'"\n]+)['"]/gm;
const NODE_BUILTINS = new Set(builtinModules);

function sourceFiles(dir: string, rel = '', out: string[] = []): string[] {
  for (const entry of readdirSync(join(dir, rel), { withFileTypes: true })) {
    const path = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) sourceFiles(dir, path, out);
    } else if (SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** The package a specifier names (`@scope/name/sub` -> `@scope/name`), or undefined for relative and built-in ones. */
export function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:') || specifier.startsWith('#')) return undefined;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  return NODE_BUILTINS.has(name) ? undefined : name;
}

function manifestOf(dir: string): Manifest | undefined {
  const path = join(dir, 'package.json');
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Manifest) : undefined;
}

/** The command names a package installs (typescript -> tsc), read from the installed package. */
function binsOf(dep: string, searchFrom: readonly string[]): string[] {
  for (const dir of searchFrom) {
    const m = manifestOf(join(dir, 'node_modules', dep)) as (Manifest & { bin?: string | Record<string, string> }) | undefined;
    if (!m) continue;
    if (typeof m.bin === 'string') return [dep.split('/').pop()!];
    return Object.keys(m.bin ?? {});
  }
  return [];
}

export interface CheckOptions {
  /** Folders (relative to the package) left out of the scan besides node_modules, dist, build and fixtures. */
  skip?: readonly string[];
  /** Where installed packages are looked for (bins of tools, peer dependencies of dependencies). */
  nodeModulesRoots?: readonly string[];
  /** Dev dependencies of the workspace root, which test files may import without declaring them. */
  rootDevDependencies?: readonly string[];
  /**
   * Report imports of packages not declared (default true). The workspace root's own tests use the
   * workspaces and what they bring, so only its unused declarations are checked.
   */
  undeclaredImports?: boolean;
}

/** The `types` a package's own tsconfig.json loads (types: ["node"] uses @types/node). */
function tsconfigTypes(dir: string): string[] {
  const path = join(dir, 'tsconfig.json');
  if (!existsSync(path)) return [];
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as { compilerOptions?: { types?: string[] } }).compilerOptions?.types ?? [];
  } catch {
    return []; // a tsconfig with comments: not read
  }
}

/**
 * The problems of one package: a declared dependency nothing uses, or a package the shipped code
 * imports without declaring it. A declared dependency counts as used when the code imports it, names
 * it in a string (plugins loaded by name), a script runs one of its commands (tsc, vitest), it types
 * something used (@types/x for x, @types/node for node:*), or it is the peer dependency of another
 * dependency (the server provides @walt/sdk to the plugins it ships).
 */
export function checkDeclaredDependencies(dir: string, options: CheckOptions = {}): DependencyProblem[] {
  const manifest = manifestOf(dir);
  if (!manifest) return [{ pkg: dir, problem: 'no package.json' }];
  const roots = [dir, ...(options.nodeModulesRoots ?? [])];
  const skip = new Set(options.skip ?? []);
  const shipped = new Set<string>();
  const fromTests = new Set<string>();
  const strings = new Set<string>();
  let usesNodeBuiltins = false;
  for (const file of sourceFiles(dir)) {
    if ([...skip].some((s) => file === s || file.startsWith(`${s}/`))) continue;
    const text = readFileSync(join(dir, file), 'utf8');
    const isTest = TEST_FILE.test(file);
    for (const m of text.matchAll(SPECIFIER)) {
      if (m[1].startsWith('node:') || NODE_BUILTINS.has(m[1].split('/')[0])) usesNodeBuiltins = true;
      const name = packageOf(m[1]);
      if (name) (isTest ? fromTests : shipped).add(name);
    }
    if (!isTest) for (const m of text.matchAll(/['"](@?[a-z0-9][\w.-]*(?:\/[\w.-]+)?)['"]/g)) strings.add(m[1]);
  }
  const section = (k: keyof Manifest) => Object.keys((manifest[k] as Record<string, string> | undefined) ?? {});
  const runtime = [...section('dependencies'), ...section('peerDependencies'), ...section('optionalDependencies')];
  const declared = new Set([...runtime, ...section('devDependencies')]);
  const scripts = Object.values(manifest.scripts ?? {}).join('\n');
  const peersOfDeps = new Set(
    runtime.flatMap((dep) => {
      for (const root of roots) {
        const m = manifestOf(join(root, 'node_modules', dep));
        if (m) return Object.keys(m.peerDependencies ?? {});
      }
      return [];
    }),
  );
  const imported = new Set([...shipped, ...fromTests]);
  const used = (dep: string): boolean => {
    if (imported.has(dep) || strings.has(dep) || peersOfDeps.has(dep)) return true;
    if (dep.startsWith('@types/')) {
      const typed = dep.slice('@types/'.length);
      if (tsconfigTypes(dir).includes(typed)) return true;
      if (dep === '@types/node') return usesNodeBuiltins;
      return imported.has(typed.includes('__') ? `@${typed.replace('__', '/')}` : typed);
    }
    return binsOf(dep, roots).some((bin) => new RegExp(`(^|[\\s;&|(])${bin.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\s|$)`, 'm').test(scripts));
  };
  const problems: DependencyProblem[] = [];
  for (const dep of [...declared].sort()) {
    if (!used(dep)) problems.push({ pkg: manifest.name, problem: `declares ${dep}, which nothing imports or runs` });
  }
  if (options.undeclaredImports === false) return problems;
  for (const dep of [...shipped].sort()) {
    if (dep !== manifest.name && !runtime.includes(dep) && !declared.has(dep)) problems.push({ pkg: manifest.name, problem: `imports ${dep} without declaring it` });
  }
  const rootDev = new Set(options.rootDevDependencies ?? []);
  for (const dep of [...fromTests].sort()) {
    if (dep !== manifest.name && !declared.has(dep) && !rootDev.has(dep)) problems.push({ pkg: manifest.name, problem: `tests import ${dep}, declared neither here nor at the workspace root` });
  }
  return problems;
}
