import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.js';

/** `walt device rename <old> <new>`: any device (no ownership check), a valid and unused host name. */
export function registerDeviceRename(device: Command, ctx: CliContext): void {
  device
    .command('rename')
    .argument('<old-name>', 'current device name')
    .argument('<new-name>', 'new name (letters, digits and -, starting with a letter, at least 2 characters)')
    .description('rename a device')
    .action(async (oldName: string, newName: string) => {
      const api = await ctx.api();
      const { device } = await api.post<{ device: { name: string } }>(`/api/v1/devices/${encodeURIComponent(oldName)}/rename`, { newName });
      ctx.out(`Device ${oldName} was renamed to ${device.name}.`);
    });
}
