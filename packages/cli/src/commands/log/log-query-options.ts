import { Option, type Command } from 'commander';
import { CliError } from '../../cli-error.js';
import { DEFAULT_LOG_FORMAT } from './log-format.js';

/** Options shared by `walt log show` and `walt log wait` (the original's names). */
export interface LogQueryOptions {
  format: string;
  issuers?: string;
  emitters?: string;
  nodes?: string;
  streams?: string;
  platform?: boolean;
  server?: boolean;
}

const SELECTORS = ['issuers', 'emitters', 'nodes', 'streams'];

export function addLogQueryOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--format <log-format>', 'printing format (see walt help show log-format)').default(DEFAULT_LOG_FORMAT))
    .addOption(new Option('--issuers <set-of-issuers>', 'selected issuers (default: my-nodes; see walt help show log-show)'))
    .addOption(new Option('--emitters <set-of-issuers>', 'same as --issuers').hideHelp())
    .addOption(new Option('--nodes <set-of-issuers>', 'same as --issuers').hideHelp())
    .addOption(new Option('--streams <streams-regexp>', 'selected log streams (as a regular expression)'))
    .addOption(new Option('--platform', 'shortcut for: --issuers server --streams platform.*').conflicts([...SELECTORS, 'server']))
    .addOption(new Option('--server', 'shortcut for: --issuers server --streams daemon.*').conflicts([...SELECTORS, 'platform']));
}

/** The issuers and streams the options select (shortcuts expanded), as API query parameters. */
export function selectionParams(opts: LogQueryOptions): URLSearchParams {
  const given = [opts.issuers, opts.emitters, opts.nodes].filter((v) => v !== undefined);
  if (given.length > 1) throw new CliError('--issuers, --emitters and --nodes are the same option: give only one', 'usage');
  const params = new URLSearchParams();
  if (opts.platform) {
    params.set('issuers', 'server');
    params.set('streams', 'platform.*');
  } else if (opts.server) {
    params.set('issuers', 'server');
    params.set('streams', 'daemon.*');
  } else {
    params.set('issuers', given[0] ?? 'my-nodes');
    if (opts.streams !== undefined) params.set('streams', opts.streams);
  }
  return params;
}
