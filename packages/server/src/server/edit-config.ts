import { spawnSync } from 'node:child_process';
import { accessSync, chmodSync, closeSync, constants, existsSync, fsyncSync, mkdirSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { ConfigError, checkConfigText, defaultConfigText } from '@walt/core';
import { CliError } from '@walt/cli/cli-error';

export interface EditConfigOptions {
  /** The file to edit (created from the commented default when absent). */
  file: string;
  /** Shell command of the editor; default $VISUAL, $EDITOR, then `editor` or `vi`. */
  editor?: string;
  /** On a terminal an invalid file can be edited again; otherwise it is refused at once. */
  interactive?: boolean;
  /** Where messages go (stdout). */
  say?: (line: string) => void;
}

export type EditOutcome = 'saved' | 'unchanged';

/** The editor command: $VISUAL, $EDITOR, else Debian's `editor` alternative, else `vi`. */
export function editorCommand(env: NodeJS.ProcessEnv = process.env): string {
  for (const candidate of [env.VISUAL, env.EDITOR]) if (candidate?.trim()) return candidate.trim();
  const hasEditor = spawnSync('sh', ['-c', 'command -v editor'], { stdio: 'ignore' }).status === 0;
  return hasEditor ? 'editor' : 'vi';
}

/**
 * `walt-server-setup --edit-conf`: edit a copy of the config in $EDITOR, validate it, and replace the
 * file atomically only when it is valid. An invalid edit never touches the file.
 */
export async function editConfigFile(options: EditConfigOptions): Promise<EditOutcome> {
  const { file } = options;
  const say = options.say ?? ((line: string) => process.stdout.write(line + '\n'));
  const existed = existsSync(file);
  if (existed && statSync(file).isDirectory()) throw new CliError(`${file} is a directory (give the path of the configuration file with --config)`);
  let original: string;
  try {
    original = existed ? readFileSync(file, 'utf8') : defaultConfigText();
  } catch (e) {
    throw new CliError(`cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); run as root, or use --config FILE`);
  }
  checkWritable(file);
  const editor = options.editor ?? editorCommand();
  const workDir = mkdtempSync(join(tmpdir(), 'walt-edit-conf-'));
  const draft = join(workDir, basename(file));
  try {
    writePrivate(draft, original);
    for (;;) {
      runEditor(editor, draft);
      const text = readFileSync(draft, 'utf8');
      if (existed && text === original) {
        say(`No change: ${file} is unchanged.`);
        return 'unchanged';
      }
      let problem: string;
      try {
        checkConfigText(text, file);
        writeAtomically(file, text, existed ? statSync(file).mode & 0o7777 : 0o644);
        say(`Configuration saved in ${file}. Restart walt-server to apply it.`);
        return 'saved';
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        problem = e.message;
      }
      if (!options.interactive) throw new CliError(`${problem}. Not saved: ${existed ? `${file} is unchanged` : `${file} was not created`}.`, 'config-invalid');
      say(problem);
      if (!(await askYesNo('Edit again? (y/n): '))) {
        throw new CliError(`configuration not saved: ${existed ? `${file} is unchanged` : `${file} was not created`}.`, 'config-invalid');
      }
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** Fail before the edit, not after it, when the result could not be saved. */
function checkWritable(file: string): void {
  // The new file replaces the old one by a rename in its folder (created if needed under the nearest existing one).
  let dir = dirname(file);
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new CliError(`cannot write ${file} (no write permission on ${dir}): run as root, or use --config FILE`);
  }
}

/** Run the editor on the draft with the terminal; $EDITOR may hold arguments ("code -w"). */
function runEditor(editor: string, draft: string): void {
  const r = spawnSync('sh', ['-c', `${editor} "$1"`, 'sh', draft], { stdio: 'inherit' });
  if (r.error) throw new CliError(`cannot run the editor '${editor}' (${r.error.message}); set EDITOR`);
  if (r.status !== 0) {
    throw new CliError(`the editor '${editor}' ${r.status === null ? `was killed (${r.signal})` : `exited with code ${r.status}`}; nothing was saved`);
  }
}

function writePrivate(path: string, text: string): void {
  const fd = openSync(path, 'w', 0o600);
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

/** Write next to the target, flush, then rename over it: readers see the old file or the new one, never half of one. */
function writeAtomically(file: string, text: string, mode: number): void {
  const dir = dirname(file);
  const temp = join(dir, `.${basename(file)}.${process.pid}.tmp`);
  try {
    mkdirSync(dir, { recursive: true });
    const fd = openSync(temp, 'w', mode);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    chmodSync(temp, mode);
    renameSync(temp, file);
  } catch (e) {
    try {
      unlinkSync(temp);
    } catch {
      /* never created */
    }
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(`cannot write ${file} (${code ?? (e as Error).message}${code === 'EACCES' ? ': run as root, or use --config FILE' : ''}); nothing was saved`);
  }
  try {
    // Make the rename itself durable.
    const dfd = openSync(dir, 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch {
    /* some filesystems refuse fsync on a directory; the rename is done */
  }
}

async function askYesNo(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  // A closed stdin (Ctrl-D) means no.
  const closed = new Promise<string>((resolve) => rl.once('close', () => resolve('n')));
  try {
    for (;;) {
      const answer = (await Promise.race([rl.question(question), closed])).trim().toLowerCase();
      if (answer === 'y' || answer === 'yes') return true;
      if (answer === 'n' || answer === 'no') return false;
    }
  } finally {
    rl.close();
  }
}
