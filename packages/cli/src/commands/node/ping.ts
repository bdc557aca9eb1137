import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.js';
import { exitWith } from '../../cli-error.js';
import { openSession, relaySession } from '../../client/session-client.js';

/**
 * `walt node ping` / `walt device ping`: ping runs on the server, which is on walt-net (this machine
 * is not), and its output streams back.
 */
export function registerPing(category: Command, ctx: CliContext, kind: 'nodes' | 'devices'): void {
  const what = kind === 'nodes' ? 'node' : 'device';
  category
    .command('ping')
    .argument(`<${what}-name>`, `the ${what}`)
    .description(`check that a ${what} is reachable on walt-net (ping from the server)`)
    .action(async (name: string) => {
      const api = await ctx.api();
      const channel = await openSession(api, `/api/v1/${kind}/${encodeURIComponent(name)}/ping`);
      const { status } = await relaySession(channel, { stdout: process.stdout, stderr: process.stderr });
      if (status !== 0) throw exitWith(status);
    });
}
