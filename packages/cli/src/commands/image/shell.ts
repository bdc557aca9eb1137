import { createInterface, type Interface } from 'node:readline';
import type { Socket } from 'node:net';
import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.js';
import { CliError } from '../../cli-error.js';
import type { ApiClient } from '../../client/api-client.js';
import { openSession, relaySession } from '../../client/session-client.js';
import { printImageWork, type ImageWorkAnswer } from './build.js';

type SaveAnswer = { status: 'needs-confirm' | 'name-not-ok'; message: string } | ({ status: 'saved' } & ImageWorkAnswer);

/** One line typed by the user; undefined on ctrl-C or end of input. */
function ask(rl: Interface, question: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const onClose = () => resolve(undefined);
    const onSigint = () => {
      rl.off('close', onClose);
      resolve(undefined);
    };
    rl.once('close', onClose);
    rl.once('SIGINT', onSigint);
    rl.question(question, (answer) => {
      rl.off('close', onClose);
      rl.off('SIGINT', onSigint);
      resolve(answer);
    });
  });
}

/**
 * The original's questions once the shell exited: a new name, or <enter> for the same name (which
 * overwrites the image, after a confirmation), or ctrl-C to discard. Resolves once saved.
 */
async function saveOrDiscard(api: ApiClient, ctx: CliContext, id: string, defaultName: string): Promise<void> {
  (process.stdin as Partial<Socket>).ref?.(); // the session let the terminal go
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    for (;;) {
      process.stdout.write(
        `------\nYou can save the changes as a new image, or overwrite this one.\nPress <enter> to reuse the name "${defaultName}" and overwrite the image.\nYou can also press ctrl-C to discard the changes.\n------\n`,
      );
      let name = await ask(rl, 'New image name: ');
      if (name === undefined) break;
      name = name.trim();
      if (!name) {
        name = defaultName;
        process.stdout.write(`Selected: ${name}\n`);
      }
      let answer = await api.post<SaveAnswer>(`/api/v1/image-shells/${id}/save`, { name, confirmed: false });
      if (answer.status === 'name-not-ok') {
        process.stderr.write(`${answer.message}\n`);
        continue;
      }
      if (answer.status === 'needs-confirm') {
        process.stdout.write(`${answer.message}\n`);
        let yes: string | undefined;
        do yes = await ask(rl, 'Are you sure? (y/n): ');
        while (yes !== undefined && yes.trim() !== 'y' && yes.trim() !== 'n');
        if (yes === undefined) break;
        if (yes.trim() === 'n') continue;
        answer = await api.post<SaveAnswer>(`/api/v1/image-shells/${id}/save`, { name, confirmed: true });
      }
      if (answer.status === 'saved') {
        printImageWork(ctx, answer);
        return;
      }
    }
  } finally {
    rl.close();
  }
  await api.post(`/api/v1/image-shells/${id}/discard`, {}).catch(() => undefined);
  throw new CliError('Aborted.', 'aborted');
}

/**
 * `walt image shell <image>`: a shell in a container of the image on the server (its terminal relayed
 * through the API), then save under the same name or another, or discard.
 */
export function registerImageShell(image: Command, ctx: CliContext): void {
  image
    .command('shell <image-name>')
    .description('modify an image through an interactive shell')
    .action(async (name: string) => {
      const api = await ctx.api();
      const s = await api.post<{ id: string; image: string; defaultName: string }>(`/api/v1/images/${encodeURIComponent(name)}/shell`, { term: process.env.TERM });
      process.stdout.write("Note: this is a limited virtual environment (a container running just the shell).\nRun 'walt help show image-shell' for more info.\n\n");
      const tty = process.stdin.isTTY && process.stdout.isTTY;
      const q = tty ? `?cols=${process.stdout.columns}&rows=${process.stdout.rows}` : '';
      let channel;
      try {
        channel = await openSession(api, `/api/v1/image-shells/${s.id}/attach${q}`);
      } catch (e) {
        await api.post(`/api/v1/image-shells/${s.id}/discard`, {}).catch(() => undefined);
        throw e;
      }
      await relaySession(channel, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, terminal: tty ? (process.stdin as NodeJS.ReadStream & { setRawMode(mode: boolean): unknown }) : undefined });
      await saveOrDiscard(api, ctx, s.id, s.defaultName);
    });
}
