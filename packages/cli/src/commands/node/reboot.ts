import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.js';
import { CliError } from '../../cli-error.js';

/** `walt node reboot [--hard] <node-set>`: soft reboot, else PoE power cycle (or the VM's kill). */
export function registerNodeReboot(node: Command, ctx: CliContext): void {
  node
    .command('reboot <node-set>')
    .description('reboot nodes')
    .option('--hard', 'power-cycle (PoE) only')
    .action(async (set: string, opts: { hard?: boolean }) => {
      const api = await ctx.api();
      const result = await api.post<{ lines: string[]; ok: boolean }>('/api/v1/nodes/reboot', { set, hard: opts.hard === true });
      const failures = result.lines.filter((l) => / failed /.test(l));
      const others = result.lines.filter((l) => !failures.includes(l));
      if (others.length) ctx.out(others.join('\n'));
      if (failures.length) throw new CliError(failures.join('; '), 'reboot-failed');
    });
}
