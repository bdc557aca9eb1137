import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { ConfigError, WaltServer, loadServerConfig } from '@walt/core';
import { CliError } from '@walt/cli/cli-error';
import { BUILTIN_PLUGINS } from './builtin-plugins.js';
import { optimizeLaterFromNowOn } from './optimize-later.js';
import { switchesOptionsFromEnv } from './test-timings-from-env.js';

/** The folder built-in plugins resolve from: this package (its node_modules, or the workspace's). */
export const INSTALL_DIR = dirname(fileURLToPath(import.meta.url));

export interface ServerOptions {
  config?: string;
  dataDir?: string;
}

interface StartOptions extends ServerOptions {
  pluginDir: string[];
  inProcess?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function loadConfigOrFail(opts: ServerOptions) {
  try {
    return loadServerConfig({ configFile: opts.config, dataDir: opts.dataDir });
  } catch (e) {
    if (e instanceof ConfigError) {
      const which = opts.config ? ` --config ${opts.config}` : '';
      throw new CliError(`${e.message}. Run 'walt-server-setup --edit-conf${which}' to fix it.`, 'config-invalid');
    }
    throw e;
  }
}

/** `walt-server start`: run the server in the foreground until SIGINT/SIGTERM. */
export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('run the WalT server in the foreground')
    .option('--config <file>', 'configuration file (default: /etc/walt/server.conf, else embedded defaults)')
    .option('--data-dir <dir>', 'data directory (default: from the config, else a user data dir)')
    .option(
      '-P, --plugin-dir <dir>',
      "load the plugin package in this folder as it is, without packing (a plugin author's dev loop; repeatable)",
      collect,
      [],
    )
    .option('--in-process', 'run the --plugin-dir plugins inside the server, as built-ins are (needed for a boot protocol)')
    .action(async (opts: StartOptions) => {
      const pluginDirs = opts.pluginDir.map((d) => resolve(d));
      for (const dir of pluginDirs) {
        if (!existsSync(join(dir, 'package.json'))) throw new CliError(`--plugin-dir ${dir}: no package.json there (give the plugin's package folder)`);
      }
      const config = loadConfigOrFail(opts);
      let server: WaltServer;
      try {
        server = await WaltServer.start(config, { builtins: [...BUILTIN_PLUGINS], resolveFrom: INSTALL_DIR, pluginDirs, pluginDirsInProcess: !!opts.inProcess, switches: switchesOptionsFromEnv() });
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        if (err.code === 'EADDRINUSE') {
          throw new CliError(`cannot listen on ${config.api.host}:${config.api.port}: address in use (is another walt-server running?)`);
        }
        throw new CliError(`server failed to start: ${err.message}`);
      }
      process.stdout.write(`walt-server listening on http://${config.api.host}:${server.port} (config: ${config.source})\n`);
      optimizeLaterFromNowOn(); // after start-up: see optimize-later.ts
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await server.stop();
      // Stopped in order; a straggling socket (a node that does not answer) must not keep the daemon alive.
      setTimeout(() => process.exit(process.exitCode ?? 0), 500).unref();
    });
}
