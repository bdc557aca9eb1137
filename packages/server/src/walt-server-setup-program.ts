import { Command } from 'commander';
import { WALT_SERVER_CONF, findConfigFile } from '@walt/core';
import { notAvailable } from '@walt/cli/cli-error';
import { editConfigFile } from './server/edit-config.js';

interface SetupOptions {
  editConf?: boolean;
  config?: string;
}

/** The `walt-server-setup` command: server configuration. */
export function buildWaltServerSetupProgram(): Command {
  return new Command('walt-server-setup')
    .description('set up the WalT server')
    .version('1.0.0', '-V, --version')
    .option('--edit-conf', 'edit the server configuration in $EDITOR (an invalid file is never saved)')
    .option('--config <file>', `configuration file to edit (default: the one walt-server start loads, else ${WALT_SERVER_CONF})`)
    .action(async (opts: SetupOptions) => {
      if (!opts.editConf) throw notAvailable('walt-server-setup (full server setup; use --edit-conf to edit the configuration)');
      const file = findConfigFile({ configFile: opts.config }) ?? WALT_SERVER_CONF;
      await editConfigFile({ file, interactive: !!(process.stdin.isTTY && process.stdout.isTTY) });
    });
}
