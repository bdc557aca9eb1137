import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkDeclaredDependencies } from '../../helpers/declared-dependencies.js';
import { REPO } from '../../helpers/walt-processes.js';

const rootManifest = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { workspaces: string[]; devDependencies: Record<string, string> };
const rootDevDependencies = Object.keys(rootManifest.devDependencies);

/** Every workspace folder (the globs of the root package.json expanded). */
function workspaces(): string[] {
  return rootManifest.workspaces.flatMap((w) =>
    w.endsWith('/*')
      ? readdirSync(join(REPO, w.slice(0, -2)), { withFileTypes: true })
          .filter((e) => e.isDirectory())
          .map((e) => `${w.slice(0, -2)}/${e.name}`)
      : [w],
  );
}

describe('declared dependencies match the imports (no unused dependency, no undeclared import)', () => {
  it.each(workspaces())('%s', (dir) => {
    expect(checkDeclaredDependencies(join(REPO, dir), { nodeModulesRoots: [REPO], rootDevDependencies })).toEqual([]);
  });

  it('the workspace root: each dev dependency is used by its tests, helpers, benches or tool configs', () => {
    const skip = ['packages', 'examples', 'images', 'docs'];
    expect(checkDeclaredDependencies(REPO, { skip, nodeModulesRoots: [REPO], undeclaredImports: false })).toEqual([]);
  });

  const scratch = mkdtempSync(join(tmpdir(), 'walt-o-deps-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('reports an unused dependency and an undeclared import (the check can fail)', () => {
    const dir = join(scratch, 'pkg');
    mkdirSync(join(dir, 'src'), { recursive: true });
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'pkg', scripts: { build: 'tsc -b' }, dependencies: { tsyringe: '^4', yaml: '^2' }, devDependencies: { typescript: '~5.9.3', '@types/semver': '^7' } }),
    );
    writeFileSync(join(dir, 'src', 'a.ts'), "import { parse } from 'yaml';\nimport semver from 'semver';\nimport { x } from './b.js';\nexport const v = [parse, semver, x];\n");
    writeFileSync(join(dir, 'src', 'a.test.ts'), "import { it } from 'vitest';\nimport 'left-pad';\nit('x', () => {});\n");
    expect(checkDeclaredDependencies(dir, { nodeModulesRoots: [REPO], rootDevDependencies: ['vitest'] })).toEqual([
      { pkg: 'pkg', problem: 'declares tsyringe, which nothing imports or runs' },
      { pkg: 'pkg', problem: 'imports semver without declaring it' },
      { pkg: 'pkg', problem: 'tests import left-pad, declared neither here nor at the workspace root' },
    ]);
  });
});
