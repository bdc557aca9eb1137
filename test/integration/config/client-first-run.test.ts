import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipUnless } from '../../helpers/prerequisites.js';
import { runNode, startServer, WALT_BIN, type RunResult, type ServerHandle } from '../../helpers/walt-processes.js';

/** The environment of a user who never ran walt: a fresh HOME, no WALT_* variables. */
function freshUserEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, USER: 'alice', TERM: 'dumb' };
  delete env.WALT_SERVER;
  delete env.WALT_USER;
  delete env.WALT_CONFIG_FILE;
  return env;
}

describe('walt client settings, first run', () => {
  let server: ServerHandle;
  let home: string;
  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'walt-home-'));
    server = await startServer();
  });
  afterAll(async () => {
    await server?.stop({ cleanup: true });
    rmSync(home, { recursive: true, force: true });
  });

  it('without a terminal and without settings: one line that says to set WALT_SERVER, non-zero exit', async () => {
    const r = await runNode(WALT_BIN, ['device', 'show'], { env: freshUserEnv(home) });
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('no WalT server configured: set WALT_SERVER');
  });

  it.skipIf(skipUnless({ commands: ['script'] }))('on a terminal (pseudo-TTY), asks, saves ~/.walt/config (0600), and runs the command', async () => {
    const cmd = `${JSON.stringify(process.execPath)} ${JSON.stringify(WALT_BIN)} device show --json`;
    const r = await new Promise<RunResult>((resolve, reject) => {
      const child = spawn('script', ['-qec', cmd, '/dev/null'], { env: freshUserEnv(home), stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      let step = 0;
      child.stdout.on('data', (d) => {
        out += d;
        if (step === 0 && out.includes('ip or hostname of WalT server: ')) {
          step = 1;
          child.stdin.write(`${server.address}\n`);
        }
        if (step === 1 && out.includes('username [alice]: ')) {
          step = 2;
          child.stdin.write('\n');
        }
      });
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`timed out: ${out}`));
      }, 30_000);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? 1, stdout: out, stderr: '' });
      });
    });
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain('Starting configuration of the walt client.');
    expect(r.stdout).toContain('"walt-server"');
    const file = join(home, '.walt', 'config');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toContain(`server: ${server.address}`);

    // Next run, no terminal, no variables: the saved settings are enough.
    const again = await runNode(WALT_BIN, ['device', 'show', '--json'], { env: freshUserEnv(home) });
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toContainEqual(expect.objectContaining({ name: 'walt-server' }));
    // WALT_SERVER overrides the file.
    const overridden = await runNode(WALT_BIN, ['device', 'show'], { env: { ...freshUserEnv(home), WALT_SERVER: '127.0.0.1:1' } });
    expect(overridden.code).not.toBe(0);
    expect(overridden.stderr).toContain('Network connection to WalT server failed!');
  });
});
