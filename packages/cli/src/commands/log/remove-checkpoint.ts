import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.js';

/** `walt log remove-checkpoint`. */
export function registerLogRemoveCheckpoint(log: Command, ctx: CliContext): void {
  log
    .command('remove-checkpoint')
    .description('remove a checkpoint')
    .argument('<checkpoint-name>', 'name of the checkpoint')
    .action(async (name: string) => {
      const api = await ctx.api();
      await api.request('DELETE', `/api/v1/logs/checkpoints/${encodeURIComponent(name)}`);
      ctx.out('Done.');
    });
}
