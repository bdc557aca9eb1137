import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.js';
import { registerImageBuild, registerImageSquash } from './build.js';
import { registerImageCp } from './cp.js';
import { registerImageShell } from './shell.js';
import { registerImageClone, registerImageDuplicate, registerImagePublish, registerImageRemove, registerImageRename } from './manage.js';
import { registerImageSearch } from './search.js';
import { registerImageShow } from './show.js';

/** `walt image ...`, in the original's order (show, search, clone, shell, build, cp, ...). */
export function registerImageCommands(program: Command, ctx: CliContext): void {
  const image = program.command('image').description('management of WalT-nodes operating system images');
  registerImageShow(image, ctx);
  registerImageSearch(image, ctx);
  registerImageClone(image, ctx);
  registerImageShell(image, ctx);
  registerImageBuild(image, ctx);
  registerImageCp(image, ctx);
  registerImageDuplicate(image, ctx);
  registerImageRemove(image, ctx);
  registerImageRename(image, ctx);
  registerImagePublish(image, ctx);
  registerImageSquash(image, ctx);
}
