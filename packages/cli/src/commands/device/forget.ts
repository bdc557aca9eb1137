import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.js';

/** `walt device forget [--force] <name>`: delete a device and its logs (refused if it has logs, unless --force). */
export function registerDeviceForget(device: Command, ctx: CliContext): void {
  device
    .command('forget')
    .argument('<device-name>', 'the device to forget')
    .option('--force', 'also when it has log lines (they are deleted)')
    .description('let WalT forget an obsolete device')
    .action(async (name: string, opts: { force?: boolean }) => {
      const api = await ctx.api();
      const r = await api.post<{ device: string; deletedLines: number }>(`/api/v1/devices/${encodeURIComponent(name)}/forget`, {
        force: !!opts.force,
      });
      ctx.out(`Device ${r.device} was forgotten${r.deletedLines ? ` (with ${r.deletedLines} log line${r.deletedLines === 1 ? '' : 's'})` : ''}.`);
    });
}
