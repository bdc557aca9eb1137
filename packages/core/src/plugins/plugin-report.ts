/** The outcome of loading one plugin, for the startup report and `walt-server plugins list`. */
export interface PluginLoadResult {
  name: string;
  version: string | null;
  origin: 'builtin' | 'config' | 'installed';
  status: 'loaded' | 'failed' | 'disabled';
  /** Why it failed: one line that names the reason. */
  error?: string;
  contributes: { nodeModels: string[]; bootProtocols: string[]; switchDrivers: string[]; helpTopics: string[] };
  loadMs: number;
}

/** Render the startup report lines (also written to the platform log, stream platform.plugins). */
export function reportLines(results: readonly PluginLoadResult[]): string[] {
  return results.map((r) => {
    if (r.status === 'loaded') {
      const parts = Object.entries(r.contributes)
        .filter(([, ids]) => ids.length)
        .map(([kind, ids]) => `${kind}=${ids.join(',')}`);
      return `plugin ${r.name}@${r.version} loaded (${r.origin})${parts.length ? ': ' + parts.join(' ') : ''}`;
    }
    if (r.status === 'disabled') return `plugin ${r.name} disabled by config`;
    return `plugin ${r.name}${r.version ? '@' + r.version : ''} FAILED (${r.origin}): ${r.error}`;
  });
}
