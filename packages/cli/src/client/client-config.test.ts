import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CliError } from '../cli-error.js';
import { loadClientConfig, readClientConfigFile } from './client-config.js';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'walt-client-config-'));
  file = join(dir, '.walt', 'config');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ WALT_CONFIG_FILE: file, USER: 'bob', ...extra });

/** Answers typed at the first-run prompt, and what the prompt printed. */
function terminal(answers: string[]) {
  const input = new PassThrough();
  const output = new PassThrough();
  let printed = '';
  output.on('data', (d) => (printed += d));
  input.end(answers.map((a) => a + '\n').join(''));
  return { input, output, printed: () => printed };
}

describe('client settings', () => {
  it('WALT_SERVER and WALT_USER need no file and no prompt', async () => {
    expect(await loadClientConfig({ env: env({ WALT_SERVER: '10.0.0.1:12345', WALT_USER: 'alice' }), interactive: false })).toEqual({ server: '10.0.0.1:12345', username: 'alice' });
  });

  it('without a server and without a terminal, says what to set in one line', async () => {
    await expect(loadClientConfig({ env: env(), interactive: false })).rejects.toThrow(/no WalT server configured: set WALT_SERVER/);
  });

  it('asks on first run, saves ~/.walt/config with mode 0600, and reads it next time', async () => {
    const t = terminal(['walt.lab', '']);
    const config = await loadClientConfig({ env: env(), interactive: true, input: t.input, output: t.output });
    expect(config).toEqual({ server: 'walt.lab', username: 'bob' });
    expect(t.printed()).toContain('ip or hostname of WalT server: ');
    expect(t.printed()).toContain('username [bob]: ');
    expect(t.printed()).toContain(`Configuration saved in ${file}.`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toMatch(/^walt:\n {4}server: walt\.lab\n {4}username: bob\n/m);
    expect(await loadClientConfig({ env: env(), interactive: false })).toEqual({ server: 'walt.lab', username: 'bob' });
  });

  it('the environment overrides the file', async () => {
    const t = terminal(['walt.lab', 'carol']);
    await loadClientConfig({ env: env(), interactive: true, input: t.input, output: t.output });
    expect(await loadClientConfig({ env: env({ WALT_SERVER: 'other:1' }), interactive: false })).toEqual({ server: 'other:1', username: 'carol' });
    expect(await loadClientConfig({ env: env({ WALT_USER: 'dave' }), interactive: false })).toEqual({ server: 'walt.lab', username: 'dave' });
  });

  it('asks again for an invalid user name', async () => {
    const t = terminal(['walt.lab', 'Not Valid', 'erin']);
    expect((await loadClientConfig({ env: env({ USER: 'X' }), interactive: true, input: t.input, output: t.output })).username).toBe('erin');
    expect(t.printed()).toContain('Invalid user name');
  });

  it('asks again for a malformed server address, and never saves one', async () => {
    const t = terminal(['bad:port:x', 'walt.lab:99999', 'walt.lab:12345', 'erin']);
    expect(await loadClientConfig({ env: env({ USER: '' }), interactive: true, input: t.input, output: t.output })).toEqual({ server: 'walt.lab:12345', username: 'erin' });
    expect(t.printed().match(/Invalid server address \(expected <host> or <host>:<port>/g)).toHaveLength(2);
    expect(readClientConfigFile(file).settings.server).toBe('walt.lab:12345');
  });

  it('asks only for what is missing and does not save a server that came from WALT_SERVER', async () => {
    const t = terminal(['frank']);
    expect(await loadClientConfig({ env: env({ WALT_SERVER: 'envhost:1', USER: '' }), interactive: true, input: t.input, output: t.output })).toEqual({ server: 'envhost:1', username: 'frank' });
    expect(readClientConfigFile(file).settings).toEqual({ username: 'frank' });
  });

  it('reads the original YAML layout and keeps its other keys (registry credentials) when saving', async () => {
    writeFileSync(join(dir, 'orig'), '# WalT configuration file\nwalt:\n    server: walt.lab\nregistries:\n    hub:\n        username: me\n        password: secret\n');
    file = join(dir, 'orig');
    const t = terminal(['grace']);
    expect(await loadClientConfig({ env: env({ USER: '' }), interactive: true, input: t.input, output: t.output })).toEqual({ server: 'walt.lab', username: 'grace' });
    const saved = readFileSync(file, 'utf8');
    expect(saved).toContain('password: secret');
    expect(saved).toContain('username: grace');
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('reads the legacy flat layout and JSON', () => {
    writeFileSync(join(dir, 'flat'), 'server: localhost\n');
    expect(readClientConfigFile(join(dir, 'flat')).settings).toEqual({ server: 'localhost' });
    writeFileSync(join(dir, 'json'), '{"walt": {"server": "h", "username": "u"}}');
    expect(readClientConfigFile(join(dir, 'json')).settings).toEqual({ server: 'h', username: 'u' });
  });

  it('refuses a broken file in one line that names it', () => {
    writeFileSync(join(dir, 'broken'), 'walt: [\n');
    expect(() => readClientConfigFile(join(dir, 'broken'))).toThrow(CliError);
    expect(() => readClientConfigFile(join(dir, 'broken'))).toThrow(/cannot read .*broken: not valid YAML/);
  });

  it('an aborted prompt (end of input) is a clear error', async () => {
    const t = terminal([]);
    await expect(loadClientConfig({ env: env(), interactive: true, input: t.input, output: t.output })).rejects.toThrow(/configuration aborted/);
  });

  it('refuses an invalid WALT_USER', async () => {
    await expect(loadClientConfig({ env: env({ WALT_SERVER: 'h', WALT_USER: 'Root!' }), interactive: false })).rejects.toThrow(/invalid user name 'Root!'/);
  });
});
