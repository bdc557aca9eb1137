import { Command } from 'commander';
import { CliContext } from './cli-context.js';
import { registerAdvancedCommands } from './commands/advanced/index.js';
import { registerDeviceCommands } from './commands/device/index.js';
import { registerHelpCommands } from './commands/help/index.js';
import { registerImageCommands } from './commands/image/index.js';
import { registerLogCommands } from './commands/log/index.js';
import { registerNodeCommands } from './commands/node/index.js';

/** The `walt` command: categories image, node, log, device, advanced, help (the original's order). */
export function buildWaltProgram(ctx = new CliContext()): Command {
  const program = new Command('walt')
    .description('WalT platform control tool')
    .version('1.0.0', '-V, --version')
    .showHelpAfterError(false);
  registerImageCommands(program, ctx);
  registerNodeCommands(program, ctx);
  registerLogCommands(program, ctx);
  registerDeviceCommands(program, ctx);
  registerAdvancedCommands(program, ctx);
  registerHelpCommands(program, ctx);
  return program;
}
