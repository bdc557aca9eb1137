import type { Command } from 'commander';
import {
  PluginInstaller,
  WaltError,
  NpmError,
  dryRunProblem,
  isStateLive,
  pluginInventory,
  readPluginState,
  type PluginInventory,
  type PluginInventoryEntry,
  type ServerConfig,
} from '@walt/core';
import { CliError } from '@walt/cli/cli-error';
import { columnate, printJson } from '@walt/cli/output/table';
import { BUILTIN_PLUGINS } from './builtin-plugins.js';
import { INSTALL_DIR, loadConfigOrFail, type ServerOptions } from './start-command.js';

const builtins = () => ({ names: BUILTIN_PLUGINS, installDir: INSTALL_DIR });

/** `walt-server plugins list | add | remove`: manage the plugins of a server's data dir, server running or not. */
export function registerPluginsCommands(plugins: Command): void {
  const withServerOptions = (cmd: Command) =>
    cmd
      .option('--config <file>', 'configuration file (default: /etc/walt/server.conf, else embedded defaults)')
      .option('--data-dir <dir>', 'data directory (default: from the config, else a user data dir)');

  withServerOptions(plugins.command('list').description('list plugins, what they contribute, and whether they loaded'))
    .option('--json', 'print as JSON')
    .action((opts: ServerOptions & { json?: boolean }) => {
      const config = loadConfigOrFail(opts);
      const inventory = pluginInventory(config, builtins());
      if (opts.json) printJson(inventory.plugins);
      else process.stdout.write(renderInventory(inventory) + '\n');
    });

  withServerOptions(
    plugins
      .command('add <npm-spec>')
      .description('install a plugin (registry name, tarball or folder)')
      .option('--in-process', "trust it to run inside the server's process (needed for a boot protocol; see walt help show security)"),
  ).action(
    async (spec: string, opts: ServerOptions & { inProcess?: boolean }) => {
      const config = loadConfigOrFail(opts);
      const installer = new PluginInstaller(config.dataDir, {
        progress: process.stderr.isTTY ? (line) => process.stderr.write(`${line}...\n`) : undefined,
      });
      let info;
      try {
        info = await cliErrors(() => installer.add(spec, (name) => dryRunProblem(config, builtins(), name), { inProcess: !!opts.inProcess }));
      } finally {
        // A plugin module may leave timers or sockets behind after the dry run: they must not keep us alive.
        setTimeout(() => process.exit(), 500).unref();
      }
      process.stdout.write(`${info.name}@${info.version} installed in ${installer.dir}. ${restartHint(config)}\n`);
    },
  );

  withServerOptions(plugins.command('remove <name>').description('uninstall a plugin')).action(async (name: string, opts: ServerOptions) => {
    const config = loadConfigOrFail(opts);
    const installer = new PluginInstaller(config.dataDir);
    await cliErrors(() => installer.remove(name));
    process.stdout.write(`${name} removed from ${installer.dir}. ${restartHint(config)}\n`);
    const index = config.plugins.findIndex((p) => p.name === name);
    if (index >= 0) process.stderr.write(`Note: plugins[${index}] of ${config.source} still names ${name}; remove that entry too.\n`);
  });
}

/** Run installer work, turning its typed errors into one-line CLI errors. */
async function cliErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof WaltError) throw new CliError(e.message, e.code);
    if (e instanceof NpmError) throw new CliError(e.message, 'npm-failed');
    throw e;
  }
}

function restartHint(config: ServerConfig): string {
  const state = readPluginState(config.dataDir);
  if (state && isStateLive(state)) return `Restart the running server (pid ${state.pid}) to apply.`;
  return 'It applies at the next server start.';
}

/** The `plugins list` table and a footnote that says where the state comes from. */
export function renderInventory(inventory: PluginInventory): string {
  if (!inventory.plugins.length) return "No plugins. Install one with 'walt-server plugins add <npm-spec>'.";
  const live = inventory.server?.running === true;
  const rows = inventory.plugins.map((p) => [p.name, p.version ?? '', p.origin, live && p.state ? p.state : p.check, details(p, live)]);
  const table = columnate(['NAME', 'VERSION', 'ORIGIN', 'STATE', 'DETAILS'], rows);
  const server = inventory.server;
  const note = live
    ? `STATE as reported by the running server (pid ${server!.pid}, started ${server!.startedAt}).`
    : server
      ? `The server is not running: STATE is what the files on disk say; DETAILS show the last start (${server.startedAt}).`
      : 'The server has not run with this data dir yet: STATE is what the files on disk say.';
  return `${table}\n\n${note}`;
}

function details(p: PluginInventoryEntry, live: boolean): string {
  if (p.check === 'invalid' || p.check === 'missing') return p.problems.join('; ');
  if (p.lastStart?.status === 'failed') {
    const when = p.lastStart.failedAt === 'ready' ? 'in onReady: ' : p.lastStart.failedAt === 'runtime' ? 'at run time: ' : '';
    return `${live ? '' : 'failed at last start: '}${when}${p.lastStart.error ?? ''}`;
  }
  if (p.contributes) {
    const parts = Object.entries(p.contributes)
      .filter(([, ids]) => ids.length)
      .map(([kind, ids]) => `${kind}=${(ids as string[]).join(',')}`);
    return parts.join(' ') || 'contributes nothing';
  }
  return '';
}
