import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.js';
import { CliError } from '../../cli-error.js';

/** `walt device rescan [device-set]`: query the server and explorable switches over SNMP/LLDP. */
export function registerDeviceRescan(device: Command, ctx: CliContext): void {
  device
    .command('rescan [device-set]')
    .description('rescan the network devices (default: server,explorable-switches)')
    .option('--json', 'print the result as JSON')
    .action(async (set: string | undefined, opts: { json?: boolean }) => {
      const api = await ctx.api();
      const result = await api.post<{ lines: string[]; ok: boolean }>('/api/v1/switches/rescan', { set: set ?? 'server,explorable-switches' });
      if (opts.json) ctx.out(JSON.stringify(result, null, 2));
      else if (result.lines.length) ctx.out(result.lines.join('\n'));
      if (!result.ok && result.lines.some((l) => / FAILED /.test(l))) throw new CliError('rescan done, but some devices could not be queried (see above; details in the platform log)');
    });
}
