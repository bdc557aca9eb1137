import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.js';
import { postWithOwnershipConfirmation } from '../node/ownership-confirmation.js';

/** `walt device rename <old> <new>`: any device, a valid and unused host name; another user's node asks first. */
export function registerDeviceRename(device: Command, ctx: CliContext): void {
  device
    .command('rename')
    .argument('<old-name>', 'current device name')
    .argument('<new-name>', 'new name (letters, digits and -, starting with a letter, at least 2 characters)')
    .option('--yes', "do not ask before renaming another user's node")
    .description('rename a device')
    .action(async (oldName: string, newName: string, opts: { yes?: boolean }) => {
      const api = await ctx.api();
      const { device } = await postWithOwnershipConfirmation<{ device: { name: string } }>(api, `/api/v1/devices/${encodeURIComponent(oldName)}/rename`, { newName }, !!opts.yes);
      ctx.out(`Device ${oldName} was renamed to ${device.name}.`);
    });
}
