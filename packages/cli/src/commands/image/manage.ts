import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.js';
import { postWithProgress } from './image-requests.js';

const enc = encodeURIComponent;

/** `walt image clone [--force] <clonable-image-link> [image-name]` (pull progress on a TTY). */
export function registerImageClone(image: Command, ctx: CliContext): void {
  image
    .command('clone <clonable-image-link> [image-name]')
    .description('clone a remote image into your working set')
    .option('--force', 'overwrite an image with the same name')
    .action(async (link: string, name: string | undefined, opts: { force?: boolean }) => {
      const api = await ctx.api();
      const r = await postWithProgress<{ message: string }>(api, '/api/v1/images/clone', { link, name, force: !!opts.force });
      ctx.out(r.message);
    });
}

/** `walt image rename <image-name> <new-image-name>`. */
export function registerImageRename(image: Command, ctx: CliContext): void {
  image
    .command('rename <image-name> <new-image-name>')
    .description('rename an image')
    .action(async (name: string, newName: string) => {
      const api = await ctx.api();
      ctx.out((await api.post<{ message: string }>(`/api/v1/images/${enc(name)}/rename`, { newName })).message);
    });
}

/** `walt image duplicate <image-name> <new-image-name>`. */
export function registerImageDuplicate(image: Command, ctx: CliContext): void {
  image
    .command('duplicate <image-name> <new-image-name>')
    .description('duplicate an image')
    .action(async (name: string, newName: string) => {
      const api = await ctx.api();
      ctx.out((await api.post<{ message: string }>(`/api/v1/images/${enc(name)}/duplicate`, { newName })).message);
    });
}

/** `walt image remove <image-name>` (refused while a node boots it). */
export function registerImageRemove(image: Command, ctx: CliContext): void {
  image
    .command('remove <image-name>')
    .description('remove an image')
    .action(async (name: string) => {
      const api = await ctx.api();
      ctx.out((await api.post<{ message: string }>(`/api/v1/images/${enc(name)}/remove`, {})).message);
    });
}

/** `walt image publish [--registry <label>] <image-name>` (push progress on a TTY). */
export function registerImagePublish(image: Command, ctx: CliContext): void {
  image
    .command('publish <image-name>')
    .description('publish an image to a registry')
    .option('--registry <label>', 'registry label (default: auto, the only one configured)', 'auto')
    .action(async (name: string, opts: { registry: string }) => {
      const api = await ctx.api();
      const r = await postWithProgress<{ message: string }>(api, `/api/v1/images/${enc(name)}/publish`, { registry: opts.registry });
      ctx.out(r.message);
    });
}
