import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.js';

/** `walt node create <node-name>`: a virtual node (a pc-x86-64 VM on the server) booting your image. */
export function registerNodeCreate(node: Command, ctx: CliContext): void {
  node
    .command('create')
    .argument('<node-name>', 'name of the new node (letters, digits and -, starting with a letter, at least 2 characters)')
    .description('create a virtual node')
    .action(async (name: string) => {
      const api = await ctx.api();
      const result = await api.post<{ messages: string[]; warnings?: string[] }>('/api/v1/nodes/create', { name });
      if (result.messages.length) ctx.out(result.messages.join('\n'));
      // The node exists (exit 0), but the user learns now, not from the platform log, that it will not boot.
      for (const w of result.warnings ?? []) process.stderr.write(`Warning: ${w}\n`);
    });
}
