import { createInterface } from 'node:readline/promises';
import type { ApiClient } from '../../client/api-client.js';
import { CliError } from '../../cli-error.js';

/** The original's prompt: asks again until the answer is exactly y or n (lines typed ahead are kept). */
export async function askConfirmation(warning: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    process.stdout.write(`Warning: ${warning}\n`);
    rl.setPrompt('Are you sure? (y/n): ');
    rl.prompt();
    for await (const line of rl) {
      const answer = line.trim();
      if (answer === 'y') return true;
      if (answer === 'n') return false;
      rl.prompt();
    }
    return false; // stdin closed
  } finally {
    rl.close();
  }
}

/**
 * POST a request that may touch other users' nodes. The server answers `needs-confirmation` when it
 * does; then a TTY user is asked, and a script is told to pass --yes. `yes` skips the question.
 */
export async function postWithOwnershipConfirmation<T>(api: ApiClient, path: string, body: Record<string, unknown>, yes: boolean): Promise<T> {
  try {
    return await api.post<T>(path, { ...body, confirmed: yes });
  } catch (e) {
    if (!(e instanceof CliError) || e.code !== 'needs-confirmation') throw e;
    if (!(process.stdin.isTTY && process.stdout.isTTY)) {
      throw new CliError(`${e.message.replace(/\.$/, '')}: use --yes to act on it anyway.`, 'needs-confirmation');
    }
    if (!(await askConfirmation(e.message))) throw new CliError('Aborted.', 'aborted');
    return api.post<T>(path, { ...body, confirmed: true });
  }
}
