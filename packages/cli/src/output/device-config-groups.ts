/** A paragraph of `walt device config` / `walt node config` output, as the server groups it. */
export interface ConfigGroupJson {
  title: string;
  devices: string[];
  lines: string[];
}

/** Each group's title then its key=value lines; groups separated by a blank line. */
export function formatConfigGroups(groups: readonly ConfigGroupJson[]): string {
  return groups.map((g) => [g.title, ...g.lines].join('\n')).join('\n\n');
}
