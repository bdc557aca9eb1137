import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.js';
import { postWithOwnershipConfirmation } from './ownership-confirmation.js';

/** What acquire, release and boot answer. */
export interface NodeImageResultJson {
  messages: string[];
  changed: string[];
}

/** Post an ownership request and print the server's sentences. */
export async function runOwnershipRequest(ctx: CliContext, path: string, body: Record<string, unknown>, yes: boolean): Promise<void> {
  const api = await ctx.api();
  const r = await postWithOwnershipConfirmation<NodeImageResultJson>(api, path, body, yes);
  if (r.messages.length) ctx.out(r.messages.join('\n'));
}

export const NODE_SET_HELP = "nodes (a name, a comma list, or my-nodes, free-nodes, all-nodes: see 'walt help show device-sets')";

/** Commands shared by `boot` and its alias `deploy`. */
export function registerBootLike(node: Command, ctx: CliContext, name: string, description: string): void {
  node
    .command(name)
    .argument('<node-set>', NODE_SET_HELP)
    .argument('<image-name-or-default>', "an image of your working set, or 'default' (each node's default image)")
    .option('--yes', "do not ask before acting on other users' nodes")
    .description(description)
    .action((set: string, image: string, opts: { yes?: boolean }) => runOwnershipRequest(ctx, '/api/v1/nodes/boot', { set, image }, !!opts.yes));
}
