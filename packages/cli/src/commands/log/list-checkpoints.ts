import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.js';
import { columnate, printJson } from '../../output/table.js';
import { pythonDatetime } from './strftime.js';

/** `walt log list-checkpoints`: the user's checkpoints (columns timestamp, name). */
export function registerLogListCheckpoints(log: Command, ctx: CliContext): void {
  log
    .command('list-checkpoints')
    .description('list your checkpoints')
    .option('--json', 'print the checkpoints as JSON')
    .action(async (opts: { json?: boolean }) => {
      const api = await ctx.api();
      const { checkpoints } = await api.get<{ checkpoints: Array<{ name: string; ts: number }> }>('/api/v1/logs/checkpoints');
      if (opts.json) return printJson(checkpoints.map((c) => ({ name: c.name, ts: c.ts, timestamp: pythonDatetime(c.ts) })));
      if (!checkpoints.length) return ctx.out('You own no checkpoints.');
      ctx.out(columnate(['timestamp', 'name'], checkpoints.map((c) => [pythonDatetime(c.ts), c.name])));
    });
}
