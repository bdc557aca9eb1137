import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.js';
import { columnate, printJson } from '../../output/table.js';

interface SearchRow {
  user: string;
  name: string;
  location: string;
  compatibility: string;
  clonableLink: string;
}

/** `walt image search [keyword]`: clonable images of the engine and the configured registries. */
export function registerImageSearch(image: Command, ctx: CliContext): void {
  image
    .command('search [keyword]')
    .description('search remote registries for clonable images')
    .option('--json', 'print as JSON')
    .action(async (keyword: string | undefined, opts: { json?: boolean }) => {
      const api = await ctx.api();
      const found = await api.get<{ results: SearchRow[]; warnings: string[] }>(`/api/v1/images/search?keyword=${encodeURIComponent(keyword ?? '')}`);
      if (opts.json) return printJson(found);
      for (const w of found.warnings) process.stderr.write(`warning: could not search ${w}\n`);
      if (!found.results.length) return ctx.out('Sorry, no image could match your request.');
      ctx.out(
        columnate(
          ['User', 'Image name', 'Location', 'Compatibility', 'Clonable link'],
          found.results.map((r) => [r.user, r.name, r.location, r.compatibility, r.clonableLink]),
        ),
      );
    });
}
