import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.js';
import { CliError } from '../../cli-error.js';
import { compileLogFormat } from './log-format.js';
import { printLogStream } from './log-output.js';
import { connectionLost } from './log-stream-reader.js';
import { addLogQueryOptions, selectionParams, type LogQueryOptions } from './log-query-options.js';

const NEED_ONE_MODE =
  "You must specify at least 1 of the options --realtime and --history. See 'walt help show log-realtime' and 'walt help show log-history' for more info.";
/** Above this many history records on a terminal, ask first (as the original). */
const CONFIRM_THRESHOLD = 1000;

interface ShowOptions extends LogQueryOptions {
  realtime?: boolean;
  history: string;
}

/** `walt log show`: history, realtime, or both (history first). */
export function registerLogShow(log: Command, ctx: CliContext): void {
  const show = log
    .command('show')
    .description('dump logs on standard output')
    .argument('[logline-regexp]', 'show only the lines matching this regular expression')
    .option('--realtime', 'enable realtime mode (see walt help show log-realtime)')
    .option('--history <history-range>', 'history range to be retrieved (see walt help show log-history)', 'none');
  addLogQueryOptions(show).action(async (regexp: string | undefined, opts: ShowOptions) => {
    if (!opts.realtime && opts.history.toLowerCase() === 'none') throw new CliError(NEED_ONE_MODE, 'usage');
    compileLogFormat(opts.format);
    const params = selectionParams(opts);
    params.set('history', opts.history);
    if (opts.realtime) params.set('realtime', '1');
    if (regexp !== undefined && regexp !== '') params.set('line', regexp);
    const api = await ctx.api();
    if (opts.history.toLowerCase() !== 'none' && regexp === undefined && process.stdin.isTTY && process.stdout.isTTY) {
      const { count } = await api.get<{ count: number }>(`/api/v1/logs/count?${params}`);
      if (count > CONFIRM_THRESHOLD) {
        ctx.out(`This will display approximately ${count} log records from history.`);
        if (!(await confirm())) throw new CliError('Aborted.', 'aborted');
      }
    }
    await printLogStream(api, params, opts.format);
    // A realtime stream has no end of its own: the server ended it (it is stopping).
    if (opts.realtime) throw connectionLost(api.config.server);
  });
}

async function confirm(): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    for (;;) {
      const answer = (await rl.question('Are you sure? (y/n): ')).trim();
      if (answer === 'y') return true;
      if (answer === 'n') return false;
    }
  } finally {
    rl.close();
  }
}
