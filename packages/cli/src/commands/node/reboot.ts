import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.js';
import { CliError } from '../../cli-error.js';
import { postWithOwnershipConfirmation } from './ownership-confirmation.js';

/** `walt node reboot [--hard] <node-set>`: soft reboot, else PoE power cycle (or the VM's kill). */
export function registerNodeReboot(node: Command, ctx: CliContext): void {
  node
    .command('reboot <node-set>')
    .description('reboot nodes')
    .option('--hard', 'power-cycle (PoE) only')
    .option('--yes', "do not ask before rebooting other users' nodes")
    .action(async (set: string, opts: { hard?: boolean; yes?: boolean }) => {
      const api = await ctx.api();
      const result = await postWithOwnershipConfirmation<{ lines: string[]; ok: boolean }>(api, '/api/v1/nodes/reboot', { set, hard: opts.hard === true }, !!opts.yes);
      const failures = result.lines.filter((l) => / failed /.test(l));
      const others = result.lines.filter((l) => !failures.includes(l));
      if (others.length) ctx.out(others.join('\n'));
      if (failures.length) throw new CliError(failures.join('; '), 'reboot-failed');
    });
}
