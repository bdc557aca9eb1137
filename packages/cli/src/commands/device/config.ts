import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.js';
import { CliError } from '../../cli-error.js';
import { formatConfigGroups, type ConfigGroupJson } from '../../output/device-config-groups.js';
import { printJson } from '../../output/table.js';
import { postWithOwnershipConfirmation } from '../node/ownership-confirmation.js';

/** Split each `name=value` argument on its first '='. */
export function parseSettingArgs(args: readonly string[]): string[] {
  for (const a of args) {
    if (a.indexOf('=') <= 0) throw new CliError('Please provide settings as `<setting name>=<setting value>` arguments.', 'invalid');
  }
  return [...args];
}

/**
 * Show (no settings) or set the settings of a set of devices. `nodes` restricts the set to nodes
 * (`walt node config`). Shared by both commands.
 */
export async function runConfig(
  ctx: CliContext,
  set: string,
  settings: readonly string[],
  opts: { json?: boolean; yes?: boolean },
  nodes: boolean,
): Promise<void> {
  const api = await ctx.api();
  if (!settings.length) {
    const q = new URLSearchParams({ set, ...(nodes ? { nodes: '1' } : {}) });
    const { groups } = await api.get<{ groups: ConfigGroupJson[] }>(`/api/v1/device-config?${q}`);
    if (opts.json) return printJson(groups);
    ctx.out(formatConfigGroups(groups));
    return;
  }
  const body = { set, settings: parseSettingArgs(settings), nodes };
  const r = await postWithOwnershipConfirmation<{ messages: string[] }>(api, '/api/v1/device-config', body, !!opts.yes);
  ctx.out(r.messages.join('\n'));
}

/** `walt device config <device-set> [name=value...]`. */
export function registerDeviceConfig(device: Command, ctx: CliContext): void {
  device
    .command('config')
    .argument('<device-set>', "devices (a name, a comma list, or a keyword: see 'walt help show device-sets')")
    .argument('[settings...]', "settings to apply, as name=value (see 'walt help show device-config')")
    .option('--json', 'print the settings as JSON (show only)')
    .option('--yes', "do not ask before changing other users' nodes")
    .description('get or set device settings (name=value)')
    .action((set: string, settings: string[], opts: { json?: boolean; yes?: boolean }) => runConfig(ctx, set, settings, opts, false));
}
