import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.js';
import { NODE_SET_HELP, runOwnershipRequest } from './ownership-commands.js';

/** `walt node release <set>`: your nodes boot their default image again (= boot <set> default, your nodes only). */
export function registerNodeRelease(node: Command, ctx: CliContext): void {
  node
    .command('release')
    .argument('<node-set>', NODE_SET_HELP)
    .description('release nodes (they boot their default image and become free)')
    .action((set: string) => runOwnershipRequest(ctx, '/api/v1/nodes/release', { set }, false));
}
