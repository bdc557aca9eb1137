import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.js';
import { exitWith } from '../../cli-error.js';
import { nodeSessionPath, nodeTargets, terminalParams } from '../../client/node-targets.js';
import { openSession, relaySession } from '../../client/session-client.js';

const NODE_SHELL_MESSAGE = "Caution: changes outside /persist will be lost on next node reboot.\nRun 'walt help show shells' for more info.";

/** `walt node shell <node>`: an interactive shell on the node, through the server's SSH connection. */
export function registerNodeShell(node: Command, ctx: CliContext): void {
  node
    .command('shell')
    .argument('<node-name>', 'a booted node')
    .description('run an interactive shell on a node')
    .option('--yes', "do not ask before using another user's node")
    .action(async (name: string, opts: { yes?: boolean }) => {
      const api = await ctx.api();
      const [target] = await nodeTargets(api, name, { yes: opts.yes, single: true });
      const channel = await openSession(api, nodeSessionPath(target, 'shell', terminalParams()));
      process.stdout.write(NODE_SHELL_MESSAGE + '\n');
      const { status } = await relaySession(channel, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, terminal: process.stdin });
      if (status !== 0) throw exitWith(status);
    });
}
