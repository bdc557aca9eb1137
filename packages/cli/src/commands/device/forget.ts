import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.js';
import { postWithOwnershipConfirmation } from '../node/ownership-confirmation.js';

/** `walt device forget [--force] <name>`: delete a device and its logs (refused if it has logs, unless --force). */
export function registerDeviceForget(device: Command, ctx: CliContext): void {
  device
    .command('forget')
    .argument('<device-name>', 'the device to forget')
    .option('--force', 'also when it has log lines (they are deleted)')
    .option('--yes', "do not ask before forgetting another user's node")
    .description('let WalT forget an obsolete device')
    .action(async (name: string, opts: { force?: boolean; yes?: boolean }) => {
      const api = await ctx.api();
      const r = await postWithOwnershipConfirmation<{ device: string; deletedLines: number }>(
        api,
        `/api/v1/devices/${encodeURIComponent(name)}/forget`,
        { force: !!opts.force },
        !!opts.yes,
      );
      ctx.out(`Device ${r.device} was forgotten${r.deletedLines ? ` (with ${r.deletedLines} log line${r.deletedLines === 1 ? '' : 's'})` : ''}.`);
    });
}
