import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.js';
import { postWithProgress } from '../image/image-requests.js';

/** `walt advanced update-default-images`: download the default images again from the registries. */
export function registerUpdateDefaultImages(advanced: Command, ctx: CliContext): void {
  advanced
    .command('update-default-images')
    .description('update the default images from registries')
    .action(async () => {
      const api = await ctx.api();
      const r = await postWithProgress<{ messages: string[] }>(api, '/api/v1/images/update-default-images', {});
      ctx.out(r.messages.join('\n'));
    });
}
