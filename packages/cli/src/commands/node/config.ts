import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.js';
import { runConfig } from '../device/config.js';
import { NODE_SET_HELP } from './ownership-commands.js';

/** `walt node config <node-set> [name=value...]`: like `walt device config`, on nodes only. */
export function registerNodeConfig(node: Command, ctx: CliContext): void {
  node
    .command('config')
    .argument('<node-set>', NODE_SET_HELP)
    .argument('[settings...]', "settings to apply, as name=value (see 'walt help show device-config')")
    .option('--json', 'print the settings as JSON (show only)')
    .option('--yes', "do not ask before changing other users' nodes")
    .description('get or set node settings (name=value)')
    .action((set: string, settings: string[], opts: { json?: boolean; yes?: boolean }) => runConfig(ctx, set, settings, opts, true));
}
