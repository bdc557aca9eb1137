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
  const npmLines = lines.filter((l) => /^npm (error|ERR!)/.test(l)).map((l) => l.replace(/^npm (error|ERR!)\s*/, ''));
  const scriptFailure = failedScript(lines, npmLines);
  if (scriptFailure) return scriptFailure;
  const errors = npmLines.filter(
    (l) => l && !/^(code|errno|syscall|path|A complete log|Log files|dest|signal|command|cwd)\b/.test(l) && !/^\S+\.log$/.test(l),
  );
  return errors[0] ?? lines.filter((l) => !/^npm (warn|error|ERR!)/i.test(l)).at(-1) ?? lines.at(-1);
}

/**
 * A lifecycle script (prepack, prepare...) that failed: npm itself only says "command failed" and
 * the command line; the script's own error is the last line it wrote before npm's error lines.
 */
function failedScript(lines: readonly string[], npmLines: readonly string[]): string | undefined {
  if (!npmLines.includes('command failed')) return undefined;
  const command = npmLines.find((l) => l.startsWith('command ') && l !== 'command failed')?.replace(/^command (sh -c )?/, '');
  const code = npmLines.find((l) => /^code \d+$/.test(l))?.slice('code '.length);
  const signal = npmLines.find((l) => l.startsWith('signal '))?.slice('signal '.length);
  const firstNpmError = lines.findIndex((l) => /^npm (error|ERR!)/.test(l));
  // Script output echoed by npm ("> pkg@1.0.0 prepack", "> tsc -b") is not the cause.
  const cause = lines.slice(0, firstNpmError).filter((l) => !l.startsWith('>') && !/^npm warn/i.test(l)).at(-1);
  const how = signal ? `was killed by ${signal}` : `exited with code ${code ?? '?'}`;
  return `script \`${command ?? '?'}\` ${how}${cause ? `: ${cause}` : ''}`;
}
