import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { REPO } from '../../helpers/walt-processes.js';

const run = promisify(execFile);

/**
 * `npm pack` of every workspace into `destination`, one pack at a time on this machine: prepack
 * scripts write into the checkout (the client copies docs/topics into packages/cli/docs), so two
 * test files packing at once could ship a half-copied folder.
 */
export async function packWorkspaces(destination: string, env: NodeJS.ProcessEnv): Promise<void> {
  try {
    await run('flock', ['/tmp/walt-test-npm-pack.lock', 'npm', 'pack', '--workspaces', '--pack-destination', destination], { cwd: REPO, env, timeout: 20 * 60_000, maxBuffer: 64 << 20 });
  } catch (e) {
    throw new Error(`npm pack failed: ${(e as { stderr?: string }).stderr ?? (e as Error).message}`);
  }
}
