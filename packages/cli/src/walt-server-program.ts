import { Command } from 'commander';
import { addStubs } from './commands/stub-commands.js';
import { registerStartCommand } from './server/start-command.js';

/** The `walt-server` command: run the server, manage its plugins. */
export function buildWaltServerProgram(): Command {
  const program = new Command('walt-server').description('WalT server daemon and administration').version('1.0.0', '-V, --version');
  registerStartCommand(program);
  const plugins = program.command('plugins').description('manage server plugins');
  addStubs(plugins, [
    { name: 'list', description: 'list plugins and what they contribute', options: [['--json', 'print as JSON']] },
    { name: 'add', args: '<npm-spec>', description: 'install a plugin (registry name, tarball or folder)' },
    { name: 'remove', args: '<name>', description: 'uninstall a plugin' },
  ]);
  return program;
}
