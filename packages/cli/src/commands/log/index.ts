import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.js';
import { registerLogAddCheckpoint } from './add-checkpoint.js';
import { registerLogListCheckpoints } from './list-checkpoints.js';
import { registerLogRemoveCheckpoint } from './remove-checkpoint.js';
import { registerLogShow } from './show.js';
import { registerLogWait } from './wait.js';

/** `walt log`: show, wait, and checkpoints (the original's order). */
export function registerLogCommands(program: Command, ctx: CliContext): void {
  const log = program.command('log').description('management of logs');
  registerLogShow(log, ctx);
  registerLogWait(log, ctx);
  registerLogAddCheckpoint(log, ctx);
  registerLogRemoveCheckpoint(log, ctx);
  registerLogListCheckpoints(log, ctx);
}
