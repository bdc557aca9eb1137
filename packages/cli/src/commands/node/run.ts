import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.js';
import { CliError, exitWith } from '../../cli-error.js';
import type { ApiClient } from '../../client/api-client.js';
import { nodeSessionPath, nodeTargets, terminalParams } from '../../client/node-targets.js';
import { openSession, relaySession } from '../../client/session-client.js';
import { LinePrefixer } from '../../output/line-prefixer.js';

/** Sessions at once: each is one API connection and one SSH channel the server opens. */
const PARALLEL_NODES = 32;

/**
 * `walt node run [--term] <node-set> <cmd...>`: the command on every node of the set, at most
 * PARALLEL_NODES at a time. Several nodes: each output line prefixed with `<node>: ` (stdout and
 * stderr kept apart), no stdin. One node: its output as is, and the local stdin. The exit status is
 * the remote command's (the first failing node's when several).
 */
export function registerNodeRun(node: Command, ctx: CliContext): void {
  node
    .command('run')
    .argument('<node-set>', 'nodes (a name, a comma-separated list, my-nodes, all-nodes...)')
    .argument('<cmd...>', 'the command and its arguments')
    .description('run a command on nodes')
    .option('--term', 'run the command in a pseudo-terminal')
    .option('--yes', "do not ask before using other users' nodes")
    .allowUnknownOption()
    .action(async (set: string, cmd: string[], opts: { term?: boolean; yes?: boolean }) => {
      const api = await ctx.api();
      const nodes = await nodeTargets(api, set, { yes: opts.yes });
      const params: Record<string, string | string[]> = { arg: cmd, ...(opts.term ? { term: '1', ...terminalParams() } : {}) };
      if (nodes.length === 1) {
        const channel = await openSession(api, nodeSessionPath(nodes[0], 'run', params));
        const interactive = opts.term === true;
        const { status } = await relaySession(channel, {
          stdin: interactive || !process.stdin.isTTY ? process.stdin : undefined,
          stdout: process.stdout,
          stderr: process.stderr,
          terminal: interactive ? process.stdin : undefined,
        });
        if (status !== 0) throw exitWith(status);
        return;
      }
      const statuses = await runOnAll(api, nodes, params);
      const failed = nodes.map((n, i) => ({ n, s: statuses[i] })).filter((x) => x.s !== 0);
      if (failed.length) {
        const what = failed.map((f) => (f.s === undefined ? `${f.n} (unreachable)` : `${f.n} (status ${f.s})`)).join(', ');
        throw new CliError(`the command failed on ${what}.`, 'run-failed', failed.find((f) => f.s !== undefined)?.s ?? 1);
      }
    });
}

async function runOnAll(api: ApiClient, nodes: string[], params: Record<string, string | string[]>): Promise<(number | undefined)[]> {
  const statuses: (number | undefined)[] = new Array(nodes.length);
  // Each running session forwards Ctrl-C to its node.
  process.setMaxListeners(PARALLEL_NODES + 10);
  let next = 0;
  const worker = async () => {
    while (next < nodes.length) {
      const i = next++;
      const out = new LinePrefixer(process.stdout, `${nodes[i]}: `);
      const err = new LinePrefixer(process.stderr, `${nodes[i]}: `);
      try {
        const channel = await openSession(api, nodeSessionPath(nodes[i], 'run', params));
        statuses[i] = (await relaySession(channel, { stdout: out, stderr: err })).status;
      } catch (e) {
        err.write(`${(e as Error).message}\n`);
        statuses[i] = undefined;
      } finally {
        await Promise.all([new Promise((r) => out.end(r)), new Promise((r) => err.end(r))]);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_NODES, nodes.length) }, worker));
  return statuses;
}
