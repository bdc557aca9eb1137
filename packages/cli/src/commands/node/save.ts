import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.js';
import { CliError } from '../../cli-error.js';
import { nodeTargets } from '../../client/node-targets.js';
import { printImageWork, type ImageWorkAnswer } from '../image/build.js';
import { readProgressAnswer, type ProgressDisplay } from '../image/image-requests.js';
import { askConfirmation } from './ownership-confirmation.js';

/** The steps of the save, one line each (the engine's build output is not shown, as the original). */
const steps: ProgressDisplay = {
  show: (line) => process.stdout.write(line.endsWith('\n') ? line : `${line}\n`),
  done: () => undefined,
};

/**
 * `walt node save <node> <image>`: the files created or modified on the node since its bootup, saved
 * on top of the image it booted as an image of the user's working set (the original's questions:
 * another user's node, an image name already taken).
 */
export function registerNodeSave(node: Command, ctx: CliContext): void {
  node
    .command('save')
    .argument('<node-name>', 'a booted node')
    .argument('<image-name>', 'the image to create (or overwrite) in your working set')
    .description('save the current state of a node as a new WalT image')
    .option('--yes', "do not ask before using another user's node")
    .addHelpText('after', "\nSee 'walt help show node-save' for more info.")
    .action(async (name: string, image: string, opts: { yes?: boolean }) => {
      const api = await ctx.api();
      const [target] = await nodeTargets(api, name, { yes: opts.yes, single: true });
      const q = await api.get<{ needsConfirm: boolean; message?: string }>(`/api/v1/images/${encodeURIComponent(image)}/build`);
      if (q.needsConfirm && !(await askConfirmation(q.message ?? `image ${image} exists`))) throw new CliError('Aborted.', 'aborted');
      const res = await api.send('POST', `/api/v1/nodes/${encodeURIComponent(target)}/save?progress=1`, {
        body: JSON.stringify({ image, confirmed: true }),
        type: 'application/json',
      });
      try {
        printImageWork(ctx, await readProgressAnswer<ImageWorkAnswer>(res, steps));
      } catch (e) {
        if (e instanceof CliError && e.message) throw new CliError(`${e.message.replace(/\.$/, '')} (see 'walt help show node-save').`, e.code, e.exitCode);
        throw e;
      }
    });
}
