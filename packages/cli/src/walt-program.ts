import type { Command } from 'commander';
import { CliContext } from './cli-context.js';
import { registerAdvancedCommands } from './commands/advanced/index.js';
import { registerDeviceCommands } from './commands/device/index.js';
import { registerHelpCommands } from './commands/help/index.js';
import { registerImageCommands } from './commands/image/index.js';
import { registerLogCommands } from './commands/log/index.js';
import { registerNodeCommands } from './commands/node/index.js';
import { newWaltProgram } from './walt-program-for-args.js';

/**
 * The `walt` command with every category: image, node, log, device, advanced, help (the original's
 * order, as in WALT_CATEGORIES). bin/walt.ts loads only the category it runs (waltProgramFor).
 */
export function buildWaltProgram(ctx = new CliContext()): Command {
  const program = newWaltProgram();
  registerImageCommands(program, ctx);
  registerNodeCommands(program, ctx);
  registerLogCommands(program, ctx);
  registerDeviceCommands(program, ctx);
  registerAdvancedCommands(program, ctx);
  registerHelpCommands(program, ctx);
  return program;
}
