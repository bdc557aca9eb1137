import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.js';
import { NODE_SET_HELP, runOwnershipRequest } from './ownership-commands.js';

/** `walt node acquire <set>`: clone the default image(s) into your working set and boot the nodes on them. */
export function registerNodeAcquire(node: Command, ctx: CliContext): void {
  node
    .command('acquire')
    .argument('<node-set>', NODE_SET_HELP)
    .option('--yes', "do not ask before taking other users' nodes")
    .description('get ownership of nodes')
    .action((set: string, opts: { yes?: boolean }) => runOwnershipRequest(ctx, '/api/v1/nodes/acquire', { set }, !!opts.yes));
}
