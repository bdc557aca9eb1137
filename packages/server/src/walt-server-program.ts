import { Command } from 'commander';
import { registerPluginsCommands } from './server/plugins-command.js';
import { registerStartCommand } from './server/start-command.js';
import { registerUsersCommands } from './server/users-command.js';

/** The `walt-server` command: run the server, manage its plugins. */
export function buildWaltServerProgram(): Command {
  const program = new Command('walt-server').description('WalT server daemon and administration').version('1.0.0', '-V, --version');
  registerStartCommand(program);
  registerPluginsCommands(program.command('plugins').description('manage server plugins (list, add, remove)'));
  registerUsersCommands(program.command('users').description("manage users' API tokens (list, issue, reset, mode)"));
  return program;
}
