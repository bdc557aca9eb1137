import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.js';

/** Box-drawing characters only when stdout can show them (a UTF-8 locale, or not a terminal). */
function unicodeOutput(): boolean {
  if (!process.stdout.isTTY) return true;
  const locale = `${process.env.LC_ALL ?? ''}${process.env.LC_CTYPE ?? ''}${process.env.LANG ?? ''}`;
  return /utf-?8/i.test(locale);
}

/** `walt device tree [--all]`: the network as seen at the last scan. */
export function registerDeviceTree(device: Command, ctx: CliContext): void {
  device
    .command('tree')
    .description('print the network structure (from the last scan)')
    .option('--all', 'include unknown devices, no pruning')
    .action(async (opts: { all?: boolean }) => {
      const api = await ctx.api();
      const q = new URLSearchParams({ all: opts.all ? '1' : '0', ascii: unicodeOutput() ? '0' : '1' });
      const { text } = await api.get<{ text: string }>(`/api/v1/switches/tree?${q}`);
      // The original prints the text with print(): one more newline.
      ctx.out(`${text}\n`);
    });
}
