import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';

/**
 * Find an installed package's folder by walking node_modules up from `fromDir`, as Node resolves
 * bare specifiers, without requiring the package to export its package.json.
 */
export function locatePackage(name: string, fromDirs: readonly string[]): string | undefined {
  if (name.startsWith('.') || isAbsolute(name)) {
    const dir = resolve(name);
    return existsSync(join(dir, 'package.json')) ? dir : undefined;
  }
  for (const start of fromDirs) {
    let dir = resolve(start);
    for (;;) {
      const candidate = join(dir, 'node_modules', name);
      if (existsSync(join(candidate, 'package.json'))) return candidate;
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return undefined;
}
