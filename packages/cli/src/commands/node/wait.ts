import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.js';
import { CliError } from '../../cli-error.js';
import { NODE_SET_HELP } from './ownership-commands.js';

/** `walt node wait [--timeout S] <set>`: block until every node of the set is booted (powersaved ones are woken). */
export function registerNodeWait(node: Command, ctx: CliContext): void {
  node
    .command('wait')
    .argument('<node-set>', NODE_SET_HELP)
    .option('--timeout <seconds>', 'give up after this many seconds (exit 1)')
    .description('wait until nodes are booted')
    .action(async (set: string, opts: { timeout?: string }) => {
      let timeout: number | undefined;
      if (opts.timeout !== undefined) {
        if (!/^\d+$/.test(opts.timeout)) throw new CliError(`--timeout expects a whole number of seconds, got '${opts.timeout}'`);
        timeout = Number(opts.timeout);
      }
      const api = await ctx.api();
      if (process.stderr.isTTY) process.stderr.write('Node bootup notification still pending (press ctrl-C to stop waiting)...\r');
      try {
        await api.post('/api/v1/nodes/wait', { set, ...(timeout !== undefined ? { timeout } : {}) });
      } catch (e) {
        if (e instanceof CliError && e.code === 'timeout') throw new CliError('Timeout was reached.', 'timeout');
        throw e;
      } finally {
        if (process.stderr.isTTY) process.stderr.write('\x1b[K');
      }
    });
}
