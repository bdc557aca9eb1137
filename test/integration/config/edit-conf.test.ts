import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipUnless } from '../../helpers/prerequisites.js';
import { runNode, WALT_SERVER_SETUP_BIN, type RunResult } from '../../helpers/walt-processes.js';

const VALID = 'network:\n  walt-net:\n    raw-device: eth1\n    ip: 192.168.183.1/24\n';
const INVALID = 'network:\n  walt-net:\n    raw-device: eth1\n    ip: 192.168.183.1\n';
const ORIGINAL = '# my platform\nnetwork:\n  walt-net:\n    raw-device: null\n    ip: 192.168.152.1/24\n';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'walt-edit-conf-test-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
/** A fake $EDITOR: a shell script that writes the given texts into the file, one per call (the last one repeats). */
function fakeEditor(...texts: string[]): string {
  const script = join(dir, `editor-${++n}.sh`);
  const counter = `${script}.count`;
  const cases = texts.map((t, i) => `  ${i === texts.length - 1 ? '*' : String(i)}) cat > "$1" <<'WALT_EOF'\n${t}WALT_EOF\n  ;;`).join('\n');
  writeFileSync(
    script,
    `#!/bin/sh\nc=$(cat "${counter}" 2>/dev/null || echo 0)\necho $((c + 1)) > "${counter}"\ncase "$c" in\n${cases}\nesac\n`,
  );
  chmodSync(script, 0o755);
  return script;
}
const editorCalls = (script: string) => Number(readFileSync(`${script}.count`, 'utf8'));

function confFile(content?: string): string {
  const file = join(mkdtempSync(join(dir, 'etc-')), 'server.conf');
  if (content !== undefined) writeFileSync(file, content, { mode: 0o640 });
  return file;
}

const setup = (file: string, editor: string) => runNode(WALT_SERVER_SETUP_BIN, ['--edit-conf', '--config', file], { env: { EDITOR: editor, VISUAL: '' } });

describe('walt-server-setup --edit-conf (no terminal)', () => {
  it('saves a valid edit atomically (a new inode), keeping the file mode', async () => {
    const file = confFile(ORIGINAL);
    const before = statSync(file);
    const r = await setup(file, fakeEditor(VALID));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Configuration saved in ${file}`);
    expect(readFileSync(file, 'utf8')).toBe(VALID);
    const after = statSync(file);
    expect(after.ino).not.toBe(before.ino);
    expect(after.mode & 0o777).toBe(0o640);
    expect(readdirSync(join(file, '..'))).toEqual(['server.conf']);
  });

  it('refuses an invalid edit, naming the key, and leaves the old file untouched', async () => {
    const file = confFile(ORIGINAL);
    const before = statSync(file);
    const r = await setup(file, fakeEditor(INVALID));
    expect(r.code).not.toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('network.walt-net.ip');
    expect(lines[0]).toContain('is unchanged');
    expect(readFileSync(file, 'utf8')).toBe(ORIGINAL);
    expect(statSync(file).ino).toBe(before.ino);
    expect(statSync(file).mtimeMs).toBe(before.mtimeMs);
    expect(readdirSync(join(file, '..'))).toEqual(['server.conf']);
  });

  it('refuses text that is not YAML', async () => {
    const file = confFile(ORIGINAL);
    const r = await setup(file, fakeEditor('network: {walt-net: [\n'));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('not valid YAML or JSON');
    expect(readFileSync(file, 'utf8')).toBe(ORIGINAL);
  });

  it('creates the file from the commented default config when there is none', async () => {
    const file = confFile();
    const r = await setup(file, 'true');
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain("# Run 'walt-server-setup --edit-conf' to update");
    expect(text).toMatch(/raw-device: null/);
    expect(statSync(file).mode & 0o777).toBe(0o644);
  });

  it('does not create the file when the first edit is invalid', async () => {
    const file = confFile();
    const r = await setup(file, fakeEditor(INVALID));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('was not created');
    expect(existsSync(file)).toBe(false);
  });

  it('says so and changes nothing when the file is left as it was', async () => {
    const file = confFile(ORIGINAL);
    const before = statSync(file);
    const r = await setup(file, 'true');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('No change');
    expect(statSync(file).ino).toBe(before.ino);
  });

  it('saves nothing when the editor fails', async () => {
    const file = confFile(ORIGINAL);
    const r = await setup(file, 'false');
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain("the editor 'false' exited with code 1");
    expect(readFileSync(file, 'utf8')).toBe(ORIGINAL);
  });

  it('passes arguments given in $EDITOR and uses $VISUAL first', async () => {
    const file = confFile(ORIGINAL);
    const script = fakeEditor(VALID);
    const r = await runNode(WALT_SERVER_SETUP_BIN, ['--edit-conf', '--config', file], { env: { VISUAL: `sh ${script}`, EDITOR: 'false' } });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(VALID);
  });

  it.skipIf(process.getuid?.() !== 0 || skipUnless({ commands: ['su'] }))('refuses before opening the editor when the file could not be saved', async () => {
    const file = confFile(ORIGINAL);
    chmodSync(join(file, '..'), 0o755);
    chmodSync(file, 0o644);
    const editor = fakeEditor(VALID);
    const r = spawnSync('su', ['nobody', '-s', '/bin/sh', '-c', `EDITOR=${editor} ${JSON.stringify(process.execPath)} ${WALT_SERVER_SETUP_BIN} --edit-conf --config ${file}`], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('no write permission');
    expect(existsSync(`${editor}.count`)).toBe(false);
    expect(readFileSync(file, 'utf8')).toBe(ORIGINAL);
  });

  it('refuses a directory given as --config', async () => {
    const r = await setup(dir, 'true');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('is a directory');
  });

  it('without --edit-conf runs the full setup (here only --dry-run: never on the test machine itself)', async () => {
    const r = await runNode(WALT_SERVER_SETUP_BIN, ['--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/walt-server\.service|nothing to do/);
  });
});

/** On a terminal (a pseudo-TTY from util-linux `script`), an invalid edit can be edited again. */
describe.skipIf(skipUnless({ commands: ['script'] }))('walt-server-setup --edit-conf on a terminal', () => {
  /** Run in a pseudo-TTY, answering each "Edit again?" with the next answer. */
  function onTerminal(file: string, editor: string, answers: string[]): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      const cmd = `${JSON.stringify(process.execPath)} ${JSON.stringify(WALT_SERVER_SETUP_BIN)} --edit-conf --config ${JSON.stringify(file)}`;
      const child = spawn('script', ['-qec', cmd, '/dev/null'], { env: { ...process.env, EDITOR: editor, VISUAL: '', TERM: 'dumb' }, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let asked = 0;
      child.stdout.on('data', (d) => {
        stdout += d;
        const prompts = stdout.split('Edit again? (y/n)').length - 1;
        while (asked < prompts) child.stdin.write(`${answers[asked++] ?? 'n'}\n`);
      });
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`timed out: ${stdout}`));
      }, 30_000);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? 1, stdout, stderr: '' });
      });
    });
  }

  it('shows why, offers to edit again, and saves the corrected file', async () => {
    const file = confFile(ORIGINAL);
    const editor = fakeEditor(INVALID, VALID);
    const r = await onTerminal(file, editor, ['y']);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain('network.walt-net.ip');
    expect(r.stdout).toContain('Configuration saved');
    expect(editorCalls(editor)).toBe(2);
    expect(readFileSync(file, 'utf8')).toBe(VALID);
  });

  it('answering no keeps the old file and exits non-zero', async () => {
    const file = confFile(ORIGINAL);
    const editor = fakeEditor(INVALID);
    const r = await onTerminal(file, editor, ['n']);
    expect(r.code).not.toBe(0);
    expect(r.stdout, r.stdout).toContain('is unchanged');
    expect(editorCalls(editor)).toBe(1);
    expect(readFileSync(file, 'utf8')).toBe(ORIGINAL);
  });
});
