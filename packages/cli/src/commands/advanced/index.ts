import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.js';
import { registerCompletionCommands } from './completion-commands.js';
import { registerFixImageOwner } from './fix-image-owner.js';
import { registerSql } from './sql.js';
import { registerUpdateDefaultImages } from './update-default-images.js';

export function registerAdvancedCommands(program: Command, ctx: CliContext): void {
  const advanced = program.command('advanced').description('advanced sub-commands');
  registerUpdateDefaultImages(advanced, ctx);
  registerFixImageOwner(advanced, ctx);
  registerCompletionCommands(advanced, ctx);
  registerSql(advanced, ctx);
}
