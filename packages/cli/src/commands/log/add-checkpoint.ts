import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.js';
import { pythonDatetime } from './strftime.js';

/** `walt log add-checkpoint`: a named point in time of this user, for `--history` ranges. */
export function registerLogAddCheckpoint(log: Command, ctx: CliContext): void {
  log
    .command('add-checkpoint')
    .description('record a checkpoint (reference point in time)')
    .argument('<checkpoint-name>', 'name of the checkpoint (letters, digits and dashes)')
    .option('--date <date>', "date of the checkpoint: '-<n>[smhd]' or 'YYYY-MM-DD hh:mm:ss' (default: now; see walt help show log-checkpoint)")
    .action(async (name: string, opts: { date?: string }) => {
      const api = await ctx.api();
      const cp = await api.post<{ name: string; ts: number }>('/api/v1/logs/checkpoints', { name, date: opts.date });
      ctx.out(`New checkpoint ${cp.name} recorded at server time: ${pythonDatetime(cp.ts)}.`);
    });
}
