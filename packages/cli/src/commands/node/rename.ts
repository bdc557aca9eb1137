import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.js';
import { postWithOwnershipConfirmation } from './ownership-confirmation.js';

/** `walt node rename <old> <new>`: a node only; renaming another user's node asks first. */
export function registerNodeRename(node: Command, ctx: CliContext): void {
  node
    .command('rename')
    .argument('<old-name>', 'current node name')
    .argument('<new-name>', 'new name (letters, digits and -, starting with a letter, at least 2 characters)')
    .option('--yes', "do not ask before renaming another user's node")
    .description('rename a node')
    .action(async (oldName: string, newName: string, opts: { yes?: boolean }) => {
      const api = await ctx.api();
      const { device } = await postWithOwnershipConfirmation<{ device: { name: string } }>(api, `/api/v1/nodes/${encodeURIComponent(oldName)}/rename`, { newName }, !!opts.yes);
      ctx.out(`Node ${oldName} was renamed to ${device.name}.`);
    });
}
