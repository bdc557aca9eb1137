import { spawn } from 'node:child_process';
import { statusOf, type RemoteProcess } from './remote-process.js';

/** A command the server runs for a session (e.g. ping towards a node on walt-net). */
export function localProcess(command: string, args: readonly string[]): RemoteProcess {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const done = new Promise<ReturnType<typeof statusOf>>((resolve) => {
    child.once('error', (e: NodeJS.ErrnoException) => {
      child.stderr.push(`${command}: ${e.code === 'ENOENT' ? 'not installed on the WalT server' : e.message}\n`);
      resolve({ status: 127 });
    });
    child.once('close', (code, signal) => resolve(statusOf(code, signal)));
  });
  return {
    stdout: child.stdout,
    stderr: child.stderr,
    stdin: child.stdin,
    endInput: () => child.stdin.end(),
    signal: (name) => child.kill(`SIG${name}` as NodeJS.Signals),
    kill: () => child.kill('SIGTERM'),
    done,
  };
}
