import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.js';
import { listLocalTopics } from '../../help/help-topics.js';
import { bashScript, programSpec, zshScript, type ProgramSpec } from './completion-script.js';

/** The whole `walt` program (every category), read for the completion scripts. */
async function wholeProgramSpec(): Promise<ProgramSpec> {
  const { waltProgramFor } = await import('../../walt-program-for-args.js');
  return programSpec(await waltProgramFor([]), listLocalTopics().map((t) => t.name));
}

/**
 * `walt advanced dump-bash-autocomplete`, `dump-zsh-autocomplete`, and the hidden
 * `walt advanced complete-names <kind>` the scripts call for node, device and image names.
 */
export function registerCompletionCommands(advanced: Command, ctx: CliContext): void {
  advanced
    .command('dump-bash-autocomplete')
    .description('dump bash auto-completion code')
    .action(async () => {
      process.stdout.write(bashScript(await wholeProgramSpec()));
    });
  advanced
    .command('dump-zsh-autocomplete')
    .description('dump zsh auto-completion code')
    .action(async () => {
      process.stdout.write(zshScript(await wholeProgramSpec()));
    });
  advanced
    .command('complete-names <kind>', { hidden: true })
    .description('names the shell completion offers (node, node-set, device, device-set, switch, image, image-or-default)')
    .action(async (kind: string) => {
      const api = await ctx.api();
      // A completion must never hang the user's shell: a server that does not answer gives nothing.
      const r = await api.get<{ names: string[] }>(`/api/v1/completions/${encodeURIComponent(kind)}`, AbortSignal.timeout(3000));
      if (r.names.length) process.stdout.write(r.names.join('\n') + '\n');
    });
}
