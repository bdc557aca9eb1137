import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The folder `walt-server plugins add` installs into: <data-dir>/plugins, an npm project of its own. */
export function pluginsDir(dataDir: string): string {
  return join(dataDir, 'plugins');
}

/** The dependency that links the plugins folder to the server's own SDK; not a plugin. */
export const SDK_PACKAGE = '@walt/sdk';

/** The private project's package.json: npm keeps dependencies sorted, so install order is kept aside. */
export interface PluginsProject {
  dependencies?: Record<string, string>;
  /** Plugin names in the order they were added: earlier ones load first, and so win a conflict. */
  walt?: {
    installOrder?: string[];
    /** Plugins added with --in-process: the admin trusts them to run inside the server's process. */
    inProcess?: string[];
  };
}

export function readPluginsProject(dataDir: string): PluginsProject | undefined {
  const file = join(pluginsDir(dataDir), 'package.json');
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as PluginsProject;
  } catch {
    return undefined;
  }
}

/**
 * Names of the plugins installed in the data dir (its package.json dependencies, minus the SDK
 * link), in installation order; any not recorded there (edited by hand) come last, by name.
 */
export function installedPlugins(dataDir: string): string[] {
  const project = readPluginsProject(dataDir);
  const names = Object.keys(project?.dependencies ?? {}).filter((n) => n !== SDK_PACKAGE);
  const order = project?.walt?.installOrder ?? [];
  const rank = (n: string) => (order.includes(n) ? order.indexOf(n) : order.length);
  return names.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** Installed plugins the admin trusts to run inside the server's process (`plugins add --in-process`). */
export function inProcessPlugins(dataDir: string): Set<string> {
  return new Set(readPluginsProject(dataDir)?.walt?.inProcess ?? []);
}
