import { EXTENSION_POINTS, type ExtensionPointTable } from '@walt/sdk';

/**
 * Where a plugin comes from; built-ins fail fast, the others are reported and skipped. `dev`: a working
 * folder given to `walt-server start --plugin-dir`, loaded as it is, without packing.
 */
export type PluginOrigin = 'builtin' | 'config' | 'installed' | 'dev';

/** The contribution keys of one plugin, by extension point kind (every kind of the host's table). */
export type ContributionIds = Record<string, string[]>;

/** The outcome of loading one plugin, for the startup report, the API and `walt-server plugins list`. */
export interface PluginLoadResult {
  /** The package name; the spec (name or folder) when the package could not be read. */
  name: string;
  version: string | null;
  origin: PluginOrigin;
  /** What was asked for: a package name or a folder path. */
  spec: string;
  /** The package folder, when found. */
  dir: string | null;
  status: 'loaded' | 'failed' | 'disabled';
  /** Why it failed: one line that names the reason. */
  error?: string;
  /** When it failed: while loading, or later at run time (onReady hook, a contribution that threw). */
  failedAt?: 'load' | 'ready' | 'runtime';
  contributes: ContributionIds;
  /** Problems that do not stop the plugin (e.g. a model whose boot protocol no plugin provides). */
  warnings: string[];
  loadMs: number;
}

/** No contribution of any kind of the table. */
export const noContributions = (points: ExtensionPointTable = EXTENSION_POINTS): ContributionIds => Object.fromEntries(points.map((p) => [p.kind, []]));

/** One plugin's line in the report. */
export function reportLine(r: PluginLoadResult): string {
  const id = `${r.name}${r.version ? '@' + r.version : ''}`;
  if (r.status === 'disabled') return `plugin ${id} disabled by config`;
  if (r.status === 'failed') {
    const when = r.failedAt === 'ready' ? ' in onReady' : r.failedAt === 'runtime' ? ' at run time' : '';
    return `plugin ${id} FAILED${when} (${r.origin}): ${r.error}`;
  }
  const parts = Object.entries(r.contributes)
    .filter(([, ids]) => ids.length)
    .map(([kind, ids]) => `${kind}=${ids.join(',')}`);
  return `plugin ${id} loaded (${r.origin}, ${r.loadMs} ms)${parts.length ? ': ' + parts.join(' ') : ', contributes nothing'}`;
}

/**
 * The startup report (also written to the platform log, stream platform.plugins): one line per
 * plugin, its warnings, then a summary.
 */
export function reportLines(results: readonly PluginLoadResult[]): string[] {
  const lines: string[] = [];
  for (const r of results) {
    lines.push(reportLine(r));
    for (const w of r.warnings) lines.push(`plugin ${r.name} warning: ${w}`);
  }
  const count = (s: PluginLoadResult['status']) => results.filter((r) => r.status === s).length;
  const disabled = count('disabled');
  lines.push(`plugins: ${count('loaded')} loaded, ${count('failed')} failed${disabled ? `, ${disabled} disabled` : ''}`);
  return lines;
}

/** Is this report line about a failure (logged as an error)? */
export function isFailureLine(line: string): boolean {
  return / FAILED( |$)/.test(line);
}
