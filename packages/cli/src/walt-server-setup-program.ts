import { Command } from 'commander';
import { WALT_SERVER_CONF, findConfigFile } from '@walt/core';
import { CliError, notAvailable } from './cli-error.js';
import { editConfigFile } from './server/edit-config.js';
import { loadConfigOrFail } from './server/start-command.js';
import { setUpTftpStatic } from './server/tftp-static-command.js';

interface SetupOptions {
  editConf?: boolean;
  config?: string;
  tftpStatic?: boolean;
  fromTarball?: string;
  dataDir?: string;
  debCache?: string;
  debianMirror?: string;
  debianSuite?: string;
}

/** The `walt-server-setup` command: server configuration, and the static boot files. */
export function buildWaltServerSetupProgram(): Command {
  return new Command('walt-server-setup')
    .description('set up the WalT server')
    .version('1.0.0', '-V, --version')
    .option('--edit-conf', 'edit the server configuration in $EDITOR (an invalid file is never saved)')
    .option('--config <file>', `configuration file (default: the one walt-server start loads, else ${WALT_SERVER_CONF})`)
    .option('--tftp-static', "build <data dir>/tftp-static (Raspberry Pi firmware, U-Boot, WalT's config.txt) from Debian's packages")
    .option('--from-tarball <file>', 'with --tftp-static: take the files from this tarball instead (e.g. the original tftp-static.tar.gz)')
    .option('--data-dir <dir>', 'with --tftp-static: data directory (default: the one walt-server start uses)')
    .option('--deb-cache <dir>', 'with --tftp-static: keep the downloaded Debian packages here (default: /var/cache/walt/tftp-static-debs for root)')
    .option('--debian-mirror <url>', 'with --tftp-static: Debian mirror (default: http://deb.debian.org/debian)')
    .option('--debian-suite <name>', "with --tftp-static: Debian release (default: this host's)")
    .action(async (opts: SetupOptions) => {
      if (opts.tftpStatic) {
        const dataDir = loadConfigOrFail({ config: opts.config, dataDir: opts.dataDir }).dataDir;
        setUpTftpStatic({ dataDir, fromTarball: opts.fromTarball, debCache: opts.debCache, mirror: opts.debianMirror, suite: opts.debianSuite }, (l) => process.stdout.write(`${l}\n`));
        return;
      }
      if (opts.fromTarball) throw new CliError('--from-tarball goes with --tftp-static (walt-server-setup --tftp-static --from-tarball <file>)', 'usage', 2);
      if (!opts.editConf) throw notAvailable('walt-server-setup (full server setup; use --edit-conf to edit the configuration, --tftp-static to build the static boot files)');
      const file = findConfigFile({ configFile: opts.config }) ?? WALT_SERVER_CONF;
      await editConfigFile({ file, interactive: !!(process.stdin.isTTY && process.stdout.isTTY) });
    });
}
