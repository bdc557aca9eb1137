import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.js';
import { CliError } from '../../cli-error.js';
import { compileLogFormat } from './log-format.js';
import { printLogStream } from './log-output.js';
import { connectionLost } from './log-stream-reader.js';
import { addLogQueryOptions, selectionParams, type LogQueryOptions } from './log-query-options.js';

interface WaitOptions extends LogQueryOptions {
  mode: string;
  timeMargin: string;
  timeout: string;
}

function wholeSeconds(option: string, value: string, min: number): number {
  if (!/^-?\d+$/.test(value) || Number(value) < min) {
    throw new CliError(`invalid ${option} '${value}' (expected a whole number of seconds${min >= 0 ? '' : ', or -1 for none'})`, 'usage');
  }
  return Number(value);
}

/** `walt log wait`: block until a line matches (ANY), or until each selected issuer sent one (ALL). */
export function registerLogWait(log: Command, ctx: CliContext): void {
  const wait = log
    .command('wait')
    .description('wait for a given log line')
    .argument('<logline-regexp>', 'regular expression the awaited line matches')
    .option('--mode <mode>', 'ANY: the first matching line; ALL: one matching line per issuer (see walt help show log-wait)', 'ANY')
    .option('--time-margin <seconds>', 'also look at the lines of the last <seconds> seconds', '0')
    .option('--timeout <seconds>', 'give up after <seconds> seconds (-1: never)', '-1');
  addLogQueryOptions(wait).action(async (regexp: string, opts: WaitOptions) => {
    const mode = opts.mode.toUpperCase();
    if (mode !== 'ANY' && mode !== 'ALL') throw new CliError(`invalid --mode '${opts.mode}' (expected ANY or ALL)`, 'usage');
    const margin = wholeSeconds('--time-margin', opts.timeMargin, 0);
    const timeout = wholeSeconds('--timeout', opts.timeout, -1);
    compileLogFormat(opts.format);
    const params = selectionParams(opts);
    params.set('realtime', '1');
    params.set('history', margin > 0 ? `-${margin}s:` : 'none');
    params.set('line', regexp);

    const api = await ctx.api();
    const controller = new AbortController();
    const timer = timeout > 0 ? setTimeout(() => controller.abort(new CliError('Timeout was reached.', 'timeout')), timeout * 1000) : undefined;
    let satisfied = false;
    try {
      // ALL: every issuer of the developed set must send a matching line.
      const missing = mode === 'ALL' ? new Set((await api.get<{ issuers: string[] }>(`/api/v1/logs/issuers?${selectionParams(opts)}`)).issuers) : undefined;
      const stop = (r: { issuer: string }) => {
        missing?.delete(r.issuer);
        satisfied = !missing || missing.size === 0;
        return satisfied;
      };
      await printLogStream(api, params, opts.format, stop, controller.signal);
    } catch (e) {
      if (controller.signal.aborted) throw controller.signal.reason;
      throw e;
    } finally {
      clearTimeout(timer);
    }
    // The awaited lines never came: the server ended the stream (it is stopping).
    if (!satisfied) throw connectionLost(api.config.server);
  });
}
