import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.js';
import { postWithOwnershipConfirmation } from './ownership-confirmation.js';

/** What acquire, release and boot answer. */
export interface NodeImageResultJson {
  messages: string[];
  changed: string[];
  /** The reboot of the changed nodes (the server waits for it). */
  reboot?: { lines: string[]; ok: boolean };
}

/** Said after a reboot that failed: where the reasons above come from and what to do. */
export const REBOOT_FAILED_HINT =
  "Note: the new image is recorded; these nodes will boot it at their next reboot. A soft reboot needs the node booted and reachable; " +
  "a hard reboot needs its switch port (walt device rescan) and poe.reboots=true on that switch. See 'walt help show node-reboot'.";

/**
 * Post an ownership request and print the server's sentences, then how the reboot went. A reboot
 * failure goes to stderr, with the hint, but the exit status stays 0, as the original's: the
 * ownership or image change that was asked for is done and kept.
 */
export async function runOwnershipRequest(ctx: CliContext, path: string, body: Record<string, unknown>, yes: boolean): Promise<void> {
  const api = await ctx.api();
  const r = await postWithOwnershipConfirmation<NodeImageResultJson>(api, path, body, yes);
  if (r.messages.length) ctx.out(r.messages.join('\n'));
  if (!r.reboot) return;
  const failures = r.reboot.lines.filter(isRebootFailure);
  const others = r.reboot.lines.filter((l) => !isRebootFailure(l));
  if (others.length) ctx.out(others.join('\n'));
  if (failures.length || !r.reboot.ok) process.stderr.write(`${[...failures, REBOOT_FAILED_HINT].join('\n')}\n`);
}

/** `<node>: failed ...` (the reboot service's wording) or `reboot after ... failed: ...`. */
export function isRebootFailure(line: string): boolean {
  return /: failed /.test(line) || /^reboot after .* failed: /.test(line);
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
