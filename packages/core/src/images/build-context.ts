import { spawn } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WaltError } from '../errors.js';
import { pathInRoot } from './path-in-root.js';
import type { ProgressSink } from './image-store.js';

/** The names a build recipe may have in the context (Podman's and Docker's). */
const RECIPE_NAMES = ['Dockerfile', 'Containerfile', 'ContainerFile'];

/** Run a command in `cwd`; rejects with its last output lines. Its output lines go to `progress`. */
function run(cmd: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: NodeJS.ReadableStream; timeoutMs: number; progress?: ProgressSink }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: options.cwd, env: options.env, stdio: [options.input ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    const onLine = (d: Buffer) => {
      for (const line of d.toString().split(/[\r\n]+/)) {
        if (!line.trim()) continue;
        tail.push(line.trim());
        if (tail.length > 5) tail.shift();
        options.progress?.(line);
      }
    };
    child.stdout!.on('data', onLine);
    child.stderr!.on('data', onLine);
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(signal ? `${cmd} took too long (stopped after ${options.timeoutMs / 1000} s)` : tail.join(' / ') || `${cmd} exited with status ${code}`));
    });
    if (options.input) {
      options.input.on('error', (e: Error) => {
        child.kill('SIGKILL');
        reject(e);
      });
      options.input.pipe(child.stdin!);
    }
  });
}

/**
 * The client's directory, sent as a tar stream, unpacked into `dir` as it arrives (never whole in
 * memory). GNU tar refuses members that climb out with `..` and drops leading slashes.
 */
export async function receiveContext(tar: NodeJS.ReadableStream, dir: string): Promise<void> {
  try {
    await run('tar', ['-x', '-C', dir, '--no-same-owner'], { input: tar, timeoutMs: 60 * 60_000 });
  } catch (e) {
    if (e instanceof WaltError) throw e;
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new WaltError('unavailable', 'tar is not installed on the server (apt install tar)', 503);
    throw new WaltError('invalid', `cannot unpack the build directory sent by the client: ${(e as Error).message}`, 400);
  }
}

/**
 * `--from-url`: a shallow clone of the repository into `dir`. Only the usual transports are allowed
 * (git's `ext::` would run a command on the server), and git never prompts for a password.
 */
export async function cloneContext(url: string, dir: string, progress?: ProgressSink): Promise<void> {
  if (!url || /^-/.test(url) || /\s/.test(url)) throw new WaltError('invalid', `invalid git URL '${url}'`, 400);
  progress?.(`** Cloning the git repository at ${url}`);
  const env = { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_ALLOW_PROTOCOL: 'http:https:git:ssh:file', GIT_ASKPASS: 'true', SSH_ASKPASS: 'true' };
  try {
    await run('git', ['clone', '--depth', '1', '--single-branch', '--quiet', '--', url, dir], { env, timeoutMs: 10 * 60_000 });
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'git is not installed on the server (apt install git)' : (e as Error).message;
    throw new WaltError('clone-failed', `cannot clone ${url}: ${why}`, 422);
  }
}

/** The directory of the build inside the clone (`--sub-dir`), confined to it. */
export function subDirectory(root: string, subDir: string | undefined): string {
  const clean = (subDir ?? '').replace(/^\/+|\/+$/g, '');
  if (!clean) return root;
  if (clean.split('/').includes('..')) throw new WaltError('invalid', `invalid sub-directory '${subDir}' (no '..')`, 400);
  const dir = pathInRoot(root, clean);
  if (!existsSync(dir) || !lstatSync(dir).isDirectory()) throw new WaltError('not-found', `no directory '${clean}' in the repository`, 404);
  return dir;
}

/**
 * The recipe must be there (as Dockerfile, Containerfile or ContainerFile, not a link); it is renamed
 * Dockerfile so the engine finds it.
 */
export function requireRecipe(dir: string, where: string): string {
  for (const name of RECIPE_NAMES) {
    const p = join(dir, name);
    if (!existsSync(p)) continue;
    if (!lstatSync(p).isFile()) throw new WaltError('invalid', `${name} in ${where} is not a regular file`, 400);
    const target = join(dir, 'Dockerfile');
    if (name !== 'Dockerfile') renameSync(p, target);
    return target;
  }
  throw new WaltError('no-dockerfile', `${where} has no Dockerfile (or Containerfile); see 'walt help show image-build'`, 400);
}

/**
 * `FROM pc-x86-64-default` means the user's own image of that name when they have one (the engine
 * would otherwise pick any image of that short name, or look it up on a registry): such FROM lines
 * are rewritten to `localhost/<user>/<name>`. Stage names, `scratch` and qualified names stay.
 */
export function qualifyFromLines(recipe: string, user: string, userHas: (name: string) => boolean): string {
  const stages = new Set<string>();
  return recipe
    .split('\n')
    .map((line) => {
      const m = /^(\s*FROM\s+)((?:--\S+\s+)*)(\S+)(.*)$/i.exec(line);
      if (!m) return line;
      const [, head, opts, image, rest] = m;
      const as = /^\s+AS\s+(\S+)/i.exec(rest);
      const qualified = image === 'scratch' || image.includes('/') || stages.has(image) || image.includes('$') || !userHas(image) ? image : `localhost/${user}/${image}`;
      if (as) stages.add(as[1]);
      return `${head}${opts}${qualified}${rest}`;
    })
    .join('\n');
}

/** Apply qualifyFromLines to the context's Dockerfile. */
export function qualifyRecipe(recipePath: string, user: string, userHas: (name: string) => boolean): void {
  const before = readFileSync(recipePath, 'utf8');
  const after = qualifyFromLines(before, user, userHas);
  if (after !== before) writeFileSync(recipePath, after);
}
