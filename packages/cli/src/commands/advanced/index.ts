import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.js';
import { addStubs } from '../stub-commands.js';
import { registerUpdateDefaultImages } from './update-default-images.js';

export function registerAdvancedCommands(program: Command, ctx: CliContext): void {
  const advanced = program.command('advanced').description('advanced sub-commands');
  registerUpdateDefaultImages(advanced, ctx);
  addStubs(advanced, [
    { name: 'fix-image-owner', args: '<other-user>', description: "take ownership of another user's images", options: [['--yes-i-know-do-it-please', 'confirm']] },
    { name: 'dump-bash-autocomplete', description: 'print the bash completion script' },
    { name: 'dump-zsh-autocomplete', description: 'print the zsh completion script' },
    { name: 'sql', description: 'SQL prompt on the server database' },
  ]);
}
