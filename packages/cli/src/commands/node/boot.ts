import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.js';
import { registerBootLike } from './ownership-commands.js';

/** `walt node boot <set> <image|default>` and its alias `walt node deploy`. */
export function registerNodeBoot(node: Command, ctx: CliContext): void {
  registerBootLike(node, ctx, 'boot', 'let nodes boot an image (or their default image)');
  registerBootLike(node, ctx, 'deploy', 'alias of boot');
}
