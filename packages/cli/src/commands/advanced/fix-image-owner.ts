import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.js';

/**
 * `walt advanced fix-image-owner [--yes-i-know-do-it-please] <other-user>`: without the flag, it
 * only explains and prints the exact command (as the original); with it, the images move to you.
 */
export function registerFixImageOwner(advanced: Command, ctx: CliContext): void {
  advanced
    .command('fix-image-owner <other-user>')
    .description('fix the owner of images')
    .option('--yes-i-know-do-it-please', 'yes, I know, do it!')
    .action(async (other: string, o: { yesIKnowDoItPlease?: boolean }) => {
      if (!o.yesIKnowDoItPlease) {
        ctx.out(
          `This gives you every image of user '${other}'. It is meant for maintenance, when '${other}'\n` +
            `no longer works with WalT.\nIf this is really what you want, run:\nwalt advanced fix-image-owner --yes-i-know-do-it-please ${other}`,
        );
        return;
      }
      const api = await ctx.api();
      const r = await api.post<{ messages: string[] }>('/api/v1/images/fix-owner', { otherUser: other });
      ctx.out(r.messages.join('\n'));
    });
}
