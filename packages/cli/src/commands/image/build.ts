import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.js';
import { CliError } from '../../cli-error.js';
import type { ApiClient } from '../../client/api-client.js';
import { askConfirmation } from '../node/ownership-confirmation.js';
import { readProgressAnswer, type ProgressDisplay } from './image-requests.js';

/** What the server answers a build or a squash with. */
export interface ImageWorkAnswer {
  messages?: string[];
  reboot?: { lines: string[]; ok: boolean };
  needsConfirm?: boolean;
  message?: string;
}

/** Build output is what the user watches: every line is printed, as `podman build` would. */
const buildOutput: ProgressDisplay = {
  show: (line) => process.stdout.write(line.endsWith('\n') ? line : `${line}\n`),
  done: () => undefined,
};

/** Print the outcome: messages, then the reboot lines (failures on stderr; exit 0 as the original). */
export function printImageWork(ctx: CliContext, answer: ImageWorkAnswer): void {
  for (const m of answer.messages ?? []) ctx.out(m);
  if (answer.reboot) {
    for (const line of answer.reboot.lines) (/rebooted OK/.test(line) ? process.stdout : process.stderr).write(`${line}\n`);
  }
}

/** The original's overwrite question, before anything is sent. */
async function confirmOverwrite(api: ApiClient, name: string): Promise<void> {
  const q = await api.get<{ needsConfirm: boolean; message?: string }>(`/api/v1/images/${encodeURIComponent(name)}/build`);
  if (q.needsConfirm && !(await askConfirmation(q.message ?? `image ${name} exists`))) throw new CliError('Aborted.', 'aborted');
}

/** The client's directory as a tar stream (never whole in memory); rejects when tar fails. */
function tarOf(dir: string): { stream: Readable; done: Promise<void> } {
  const child = spawn('tar', ['-c', '-C', dir, '.'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const done = new Promise<void>((res, rej) => {
    child.on('error', (e) => rej(new CliError(`cannot read ${dir}: ${e.message}`)));
    child.on('close', (code) => (code === 0 ? res() : rej(new CliError(`cannot read ${dir}: ${err.trim().split('\n')[0] || `tar exited with ${code}`}`))));
  });
  return { stream: child.stdout, done };
}

/**
 * `walt image build --from-dir <dir> <name>` or `--from-url <git-url> [--sub-dir <path>] <name>`:
 * the server's engine builds the Dockerfile; its output is shown as it comes.
 */
export function registerImageBuild(image: Command, ctx: CliContext): void {
  image
    .command('build <image-name>')
    .description('build a WalT image using a Dockerfile')
    .option('--from-url <git-url>', 'git repository URL containing a Dockerfile')
    .option('--sub-dir <path>', 'sub-directory of the git repository to use for the build')
    .option('--from-dir <directory>', 'local directory containing a Dockerfile')
    .addHelpText('after', "\nSee 'walt help show image-build' for more info.")
    .action(async (name: string, o: { fromUrl?: string; subDir?: string; fromDir?: string }) => {
      if (!o.fromUrl === !o.fromDir) throw new CliError("You must specify 1 of the options --from-url and --from-dir (see 'walt help show image-build').", 'usage');
      if (o.subDir !== undefined && !o.fromUrl) throw new CliError('Option --sub-dir is only supported when combined with --from-url.', 'usage');
      const path = `/api/v1/images/${encodeURIComponent(name)}/build`;
      if (o.fromDir) {
        const dir = resolve(o.fromDir);
        if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CliError(`no such directory: ${o.fromDir}`, 'not-found');
        if (!['Dockerfile', 'Containerfile', 'ContainerFile'].some((f) => existsSync(join(dir, f)))) {
          throw new CliError(`${o.fromDir} has no Dockerfile (or Containerfile); see 'walt help show image-build'`, 'no-dockerfile');
        }
        const api = await ctx.api();
        await confirmOverwrite(api, name);
        buildOutput.show(`** Sending the directory ${o.fromDir}`);
        const tar = tarOf(dir);
        const where = encodeURIComponent(`directory ${o.fromDir}`);
        const [res] = await Promise.all([api.send('PUT', `${path}?progress=1&where=${where}`, { body: tar.stream, type: 'application/x-tar' }), tar.done]);
        printImageWork(ctx, await readProgressAnswer<ImageWorkAnswer>(res, buildOutput));
        return;
      }
      const api = await ctx.api();
      await confirmOverwrite(api, name);
      const res = await api.send('POST', `${path}?progress=1`, { body: JSON.stringify({ url: o.fromUrl, subDir: o.subDir }), type: 'application/json' });
      printImageWork(ctx, await readProgressAnswer<ImageWorkAnswer>(res, buildOutput));
    });
}

/** `walt image squash <name>`: asks first when nodes use the image (they will reboot). */
export function registerImageSquash(image: Command, ctx: CliContext): void {
  image
    .command('squash <image-name>')
    .description('squash all layers of an image into one')
    .action(async (name: string) => {
      const api = await ctx.api();
      const path = `/api/v1/images/${encodeURIComponent(name)}/squash?progress=1`;
      const ask = (confirmed: boolean) => api.send('POST', path, { body: JSON.stringify({ confirmed }), type: 'application/json' });
      const quiet: ProgressDisplay = { show: () => undefined, done: () => undefined };
      let answer = await readProgressAnswer<ImageWorkAnswer>(await ask(false), quiet);
      if (answer.needsConfirm) {
        if (!(await askConfirmation(answer.message ?? 'nodes use this image'))) throw new CliError('Aborted.', 'aborted');
        answer = await readProgressAnswer<ImageWorkAnswer>(await ask(true), quiet);
      }
      printImageWork(ctx, answer);
    });
}
