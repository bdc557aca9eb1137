import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.js';
import { CliError } from '../../cli-error.js';
import { postWithOwnershipConfirmation } from './ownership-confirmation.js';

/** `walt node blink <node> [duration=60]`: the node's LED blinks (its net service), then stops. */
export function registerNodeBlink(node: Command, ctx: CliContext): void {
  node
    .command('blink')
    .argument('<node-name>', 'a booted node')
    .argument('[duration]', 'seconds', '60')
    .description('make a node blink for a given number of seconds')
    .option('--yes', "do not ask before using another user's node")
    .action(async (name: string, duration: string, opts: { yes?: boolean }) => {
      if (!/^\d+$/.test(duration)) throw new CliError('<duration> must be an integer (number of seconds).', 'invalid');
      const seconds = Number(duration);
      const api = await ctx.api();
      const path = `/api/v1/nodes/${encodeURIComponent(name)}/blink`;
      await postWithOwnershipConfirmation(api, path, { on: true }, opts.yes === true);
      process.stdout.write(`blinking for ${seconds}s... `);
      const interrupted = new AbortController();
      const onSigint = () => interrupted.abort();
      process.once('SIGINT', onSigint);
      try {
        await sleep(seconds * 1000, undefined, { signal: interrupted.signal });
        process.stdout.write('done.\n');
      } catch {
        process.stdout.write('\nAborted.\n');
      } finally {
        process.off('SIGINT', onSigint);
        await api.post(path, { on: false });
      }
    });
}
