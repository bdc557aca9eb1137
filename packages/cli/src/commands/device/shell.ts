import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.js';
import { exitWith } from '../../cli-error.js';
import { terminalParams } from '../../client/node-targets.js';
import { openSession, relaySession } from '../../client/session-client.js';

/**
 * `walt device shell [--user USER] <device>`: SSH to a device that is not a node, through the
 * server. Without --user it asks "SSH user name: " (empty: root), as the original; a password, if
 * the device wants one, is asked through the session.
 */
export function registerDeviceShell(device: Command, ctx: CliContext): void {
  device
    .command('shell')
    .argument('<device-name>', 'a device reachable on walt-net (not a node)')
    .description('run an interactive shell on a device (ssh through the server)')
    .option('--user <user>', 'SSH user name')
    .action(async (name: string, opts: { user?: string }) => {
      let user = opts.user;
      if (user === undefined) {
        const rl = createInterface({ input: process.stdin, output: process.stdout });
        try {
          user = (await rl.question('SSH user name: ')).trim();
        } finally {
          rl.close();
        }
      }
      const api = await ctx.api();
      const query = new URLSearchParams({ user: user || 'root', ...terminalParams() });
      const channel = await openSession(api, `/api/v1/devices/${encodeURIComponent(name)}/shell?${query}`);
      const { status } = await relaySession(channel, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, terminal: process.stdin });
      if (status !== 0) throw exitWith(status);
    });
}
