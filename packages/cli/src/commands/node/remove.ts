import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.js';
import { postWithOwnershipConfirmation } from './ownership-confirmation.js';

/** `walt node remove <node-name>`: stop a virtual node's VM and forget it; another user's node asks first. */
export function registerNodeRemove(node: Command, ctx: CliContext): void {
  node
    .command('remove')
    .argument('<node-name>', 'the virtual node to remove')
    .option('--yes', "do not ask before removing another user's node")
    .description('remove a virtual node')
    .action(async (name: string, opts: { yes?: boolean }) => {
      const api = await ctx.api();
      const result = await postWithOwnershipConfirmation<{ messages: string[] }>(api, `/api/v1/nodes/${encodeURIComponent(name)}/remove`, {}, !!opts.yes);
      if (result.messages.length) ctx.out(result.messages.join('\n'));
    });
}
