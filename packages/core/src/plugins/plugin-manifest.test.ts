import { describe, expect, it } from 'vitest';
import { checkPluginPackage, entryOf } from './plugin-manifest.js';

const good = {
  name: 'walt-plugin-demo',
  version: '1.0.0',
  keywords: ['walt-plugin'],
  walt: { apiVersion: 1 },
  peerDependencies: { '@walt/sdk': '^1' },
  exports: { '.': { types: './dist/index.d.ts', import: './dist/index.js' } },
};
const files = (...paths: string[]) => ({ has: (p: string) => paths.includes(p) });
const check = (patch: Record<string, unknown>, has = files('dist/index.js')) => checkPluginPackage({ ...good, ...patch }, '/plugins/demo', has);

describe('checkPluginPackage', () => {
  it('accepts a well-formed plugin package', () => {
    expect(check({})).toEqual({
      name: 'walt-plugin-demo',
      version: '1.0.0',
      problems: [],
      manifest: { name: 'walt-plugin-demo', version: '1.0.0', apiVersion: 1, entry: '/plugins/demo/dist/index.js', dir: '/plugins/demo' },
    });
  });

  it.each([
    [{ name: 'walt-demo' }, 'package name "walt-demo" is not a plugin name (use @walt/plugin-*, walt-plugin-* or @scope/walt-plugin-*)'],
    [{ version: 'latest' }, 'package.json version "latest" is not a semver version'],
    [{ keywords: ['walt'] }, "package.json keywords must include 'walt-plugin'"],
    [{ walt: undefined }, 'package.json needs a "walt": {"apiVersion": N} block'],
    [{ walt: { apiVersion: 2 } }, 'written for plugin API version 2, this server speaks version 1'],
    [{ peerDependencies: {} }, '@walt/sdk must be a peerDependency (e.g. "peerDependencies": {"@walt/sdk": "^1"})'],
    [{ peerDependencies: { '@walt/sdk': '^2' } }, 'requires @walt/sdk ^2, this server provides 1.0.0'],
    [{ peerDependencies: { '@walt/sdk': 'one' } }, 'peerDependencies @walt/sdk "one" is not a semver range'],
    [{ dependencies: { '@walt/sdk': '^1' } }, 'bundles @walt/sdk in dependencies (make it a peerDependency: the server provides it)'],
    [{ dependencies: { '@walt/core': '^1' } }, 'bundles @walt/core in dependencies (make it a peerDependency: the server provides it)'],
    [{ bundleDependencies: ['@walt/sdk'] }, 'bundles @walt/sdk in bundleDependencies (make it a peerDependency: the server provides it)'],
    [{ exports: './lib/main.js' }, 'entry point ./lib/main.js is missing from the package (was the plugin built before packing?)'],
    [{ exports: '../outside.js' }, 'entry point ../outside.js is outside the package'],
    [{ exports: { './sub': './x.js' } }, 'package.json has no ES entry point ("exports" "." with "import" or "default", or "main")'],
  ])('refuses %j', (patch, problem) => {
    const r = check(patch);
    expect(r.manifest).toBeUndefined();
    expect(r.problems).toEqual([problem]);
  });

  it('accepts apiVersion written as a string', () => {
    expect(check({ walt: { apiVersion: '1' } }).manifest?.apiVersion).toBe(1);
  });

  it('refuses a package that ships its own SDK copy', () => {
    expect(check({}, files('dist/index.js', 'node_modules/@walt/sdk')).problems).toEqual([
      'ships its own copy of @walt/sdk in node_modules (remove it: the server provides it)',
    ]);
  });

  it('lists every problem at once and keeps the name for messages', () => {
    const r = checkPluginPackage({ name: 'demo', version: '1.0.0' }, '/x', files());
    expect(r.name).toBe('demo');
    expect(r.problems).toHaveLength(5);
  });

  it('refuses what is not an object', () => {
    expect(checkPluginPackage([], '/x', files()).problems).toEqual(['package.json is not a JSON object']);
  });
});

describe('entryOf', () => {
  it.each([
    [{ exports: './a.js' }, './a.js'],
    [{ exports: { import: './b.js', require: './b.cjs' } }, './b.js'],
    [{ exports: { '.': { node: { import: './c.js' } } } }, './c.js'],
    [{ exports: { '.': [{ default: './d.js' }] } }, './d.js'],
    [{ main: 'e.js' }, 'e.js'],
    [{}, 'index.js'],
    [{ exports: { '.': { require: './f.cjs' } } }, undefined],
  ])('%j -> %s', (pkg, entry) => {
    expect(entryOf(pkg)).toBe(entry);
  });
});
