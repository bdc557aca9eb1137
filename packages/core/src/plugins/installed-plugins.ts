import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The folder `walt-server plugins add` installs into: <data-dir>/plugins, an npm project of its own. */
export function pluginsDir(dataDir: string): string {
  return join(dataDir, 'plugins');
}

/** Names of the plugins installed in the data dir (its package.json dependencies, minus the SDK link). */
export function installedPlugins(dataDir: string): string[] {
  const file = join(pluginsDir(dataDir), 'package.json');
  if (!existsSync(file)) return [];
  try {
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { dependencies?: Record<string, string> };
    return Object.keys(pkg.dependencies ?? {}).filter((n) => !n.startsWith('@walt/sdk'));
  } catch {
    return [];
  }
}
