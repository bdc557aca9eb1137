import { Command } from 'commander';
import { notAvailable } from './cli-error.js';

/** The `walt-server-setup` command: server configuration. */
export function buildWaltServerSetupProgram(): Command {
  return new Command('walt-server-setup')
    .description('set up the WalT server')
    .option('--edit-conf', 'edit /etc/walt/server.conf (refuses to save an invalid file)')
    .option('--config <file>', 'configuration file to edit', '/etc/walt/server.conf')
    .action(() => {
      throw notAvailable('walt-server-setup');
    });
}
