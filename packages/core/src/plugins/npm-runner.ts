import { spawn } from 'node:child_process';

export interface NpmRunOptions {
  /** The npm project folder (also passed as --prefix, so npm never picks a parent project). */
  prefix: string;
  timeoutMs?: number;
  /** Extra environment (e.g. npm_config_offline=true in tests). */
  env?: NodeJS.ProcessEnv;
}

export interface NpmResult {
  stdout: string;
  stderr: string;
}

/** A failed npm run, with the one line of npm's output that says why. */
export class NpmError extends Error {
  override name = 'NpmError';
}

/**
 * Settings an outer npm (e.g. `npm test -w x`) passes to its children through the environment and
 * that would make our npm act on another project.
 */
const FOREIGN_NPM_ENV = /^npm_config_(workspaces?|include_workspace_root|global|location|prefix|local_prefix)$/i;

/** Run `npm <args>` in a private project folder; throws NpmError with npm's own reason, in one line. */
export function runNpm(args: readonly string[], options: NpmRunOptions): Promise<NpmResult> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!FOREIGN_NPM_ENV.test(k)) env[k] = v;
  Object.assign(env, options.env);
  const fullArgs = [...args, '--prefix', options.prefix, '--no-audit', '--no-fund', '--update-notifier=false', '--loglevel=error'];
  return new Promise((resolve, reject) => {
    const child = spawn('npm', fullArgs, { cwd: options.prefix, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const limit = options.timeoutMs ?? 10 * 60_000;
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new NpmError(`npm ${args[0]} did not finish within ${Math.round(limit / 1000)} s (network down? try again)`));
    }, limit);
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new NpmError(e.code === 'ENOENT' ? 'npm is not on the PATH (it comes with Node.js: install it to add plugins)' : `cannot run npm: ${e.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve({ stdout, stderr });
      else reject(new NpmError(`npm ${args[0]} failed: ${npmReason(stderr) ?? `exit code ${code}`}`));
    });
  });
}

/** The line of npm's error output that says why, skipping the code/log boilerplate. */
export function npmReason(stderr: string): string | undefined {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const errors = lines
    .filter((l) => /^npm (error|ERR!)/.test(l))
    .map((l) => l.replace(/^npm (error|ERR!)\s*/, ''))
    .filter((l) => l && !/^(code|errno|syscall|path|A complete log|Log files|dest|signal|command|cwd)\b/.test(l) && !/^\S+\.log$/.test(l));
  return errors[0] ?? lines.filter((l) => !/^npm warn/i.test(l)).at(-1);
}
