import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { WALT_SERVER_CONF, findConfigFile } from '@walt/core';
import { CliError } from '@walt/cli/cli-error';
import { editConfigFile } from './server/edit-config.js';
import { loadConfigOrFail } from './server/start-command.js';
import { setUpTftpStatic } from './server/tftp-static-command.js';
import { carryOut, installSteps, setupPaths, uninstallSteps } from './setup/server-setup.js';

interface SetupOptions {
  editConf?: boolean;
  config?: string;
  dryRun?: boolean;
  uninstall?: boolean;
  purge?: boolean;
  root: string;
  waltNetRawDevice?: string;
  waltNetIp?: string;
  /** true: --tftp-static (build it only); false: --no-tftp-static; undefined: the install builds it if missing. */
  tftpStatic?: boolean;
  fromTarball?: string;
  dataDir?: string;
  debCache?: string;
  debianMirror?: string;
  debianSuite?: string;
}

/** The `walt-server-setup` command: install (or uninstall) the server on this machine, or edit its configuration. */
export function buildWaltServerSetupProgram(): Command {
  return new Command('walt-server-setup')
    .description('set up the WalT server: Debian packages, /etc/walt/server.conf, the walt-server systemd service (run as root; safe to run again, e.g. after an upgrade)')
    .version('1.0.0', '-V, --version')
    .option('--edit-conf', 'edit the server configuration in $EDITOR (an invalid file is never saved)')
    .option('--config <file>', `configuration file to edit (default: the one walt-server start loads, else ${WALT_SERVER_CONF})`)
    .option('--dry-run', 'print what would be done and change nothing')
    .option('--uninstall', 'remove the service installed by setup (configuration and data are kept)')
    .option('--purge', 'with --uninstall: also remove /etc/walt/server.conf and the data dir /var/lib/walt')
    .option('--walt-net-raw-device <interface>', "walt-net's interface for a new configuration ('none': virtual-only platform)")
    .option('--walt-net-ip <address/prefix>', "the server's walt-net address for a new configuration (e.g. 192.168.152.1/24)")
    .option('--tftp-static', "only build <data dir>/tftp-static (Raspberry Pi firmware, U-Boot, WalT's config.txt) from Debian's packages")
    .option('--no-tftp-static', 'install without building tftp-static (the install builds it when <data dir>/tftp-static is missing or empty)')
    .option('--from-tarball <file>', 'tftp-static: take the files from this tarball instead of Debian (e.g. the original tftp-static.tar.gz)')
    .option('--data-dir <dir>', 'with --tftp-static: data directory (default: the one walt-server start uses)')
    .option('--deb-cache <dir>', 'tftp-static: keep the downloaded Debian packages here (default: /var/cache/walt/tftp-static-debs for root)')
    .option('--debian-mirror <url>', 'tftp-static: Debian mirror (default: http://deb.debian.org/debian)')
    .option('--debian-suite <name>', "tftp-static: Debian release (default: this host's)")
    .option('--root <dir>', 'the system to set up (default /; another folder is set up offline, without apt-get nor starting services)', '/')
    .action(async (opts: SetupOptions) => {
      if (opts.editConf) {
        const file = findConfigFile({ configFile: opts.config }) ?? WALT_SERVER_CONF;
        await editConfigFile({ file, interactive: !!(process.stdin.isTTY && process.stdout.isTTY) });
        return;
      }
      if (opts.tftpStatic) {
        const dataDir = loadConfigOrFail({ config: opts.config, dataDir: opts.dataDir }).dataDir;
        setUpTftpStatic({ dataDir, fromTarball: opts.fromTarball, debCache: opts.debCache, mirror: opts.debianMirror, suite: opts.debianSuite }, (l) => process.stdout.write(`${l}\n`));
        return;
      }
      if (opts.tftpStatic === false && (opts.fromTarball || opts.debCache || opts.debianMirror || opts.debianSuite)) {
        throw new CliError('--no-tftp-static cannot go with --from-tarball, --deb-cache, --debian-mirror or --debian-suite (they say how to build tftp-static)', 'usage', 2);
      }
      if (opts.dataDir) throw new CliError('--data-dir goes with --tftp-static (the install uses the data-dir of /etc/walt/server.conf)', 'usage', 2);
      if (opts.purge && !opts.uninstall) throw new CliError('--purge goes with --uninstall');
      const root = resolve(opts.root);
      if (!existsSync(root)) throw new CliError(`--root ${opts.root}: no such directory`);
      if (root === '/' && !opts.dryRun && process.getuid?.() !== 0) throw new CliError('walt-server-setup changes the system: run it as root (or use --dry-run to see the plan)');
      if (opts.uninstall) {
        carryOut(uninstallSteps({ root, purge: opts.purge }), !!opts.dryRun);
        return;
      }
      // Attended install without a configuration: the same editor and validation as --edit-conf.
      const configFile = setupPaths(root).configFile;
      const flags = opts.waltNetRawDevice !== undefined || opts.waltNetIp !== undefined;
      if (!flags && !opts.dryRun && !existsSync(configFile) && process.stdin.isTTY && process.stdout.isTTY) {
        await editConfigFile({ file: configFile, interactive: true });
      }
      const tftpStatic = opts.tftpStatic === false ? false : { fromTarball: opts.fromTarball, debCache: opts.debCache, mirror: opts.debianMirror, suite: opts.debianSuite };
      carryOut(installSteps({ root, waltNetRawDevice: opts.waltNetRawDevice, waltNetIp: opts.waltNetIp, tftpStatic }), !!opts.dryRun);
    });
}
