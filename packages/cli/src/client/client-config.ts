import { chmodSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { createRequire } from 'node:module';
import { CliError } from '../cli-error.js';
import { SERVER_ADDRESS_FORMS, serverBaseUrlOf } from './server-address.js';
import { readSimpleYamlConfig } from './simple-yaml-config.js';

/** The YAML library, loaded only when a config file is not the simple kind walt writes (see simple-yaml-config.ts). */
const yaml = (): typeof import('yaml') => createRequire(import.meta.url)('yaml');

/** Client settings: ~/.walt/config, overridden by WALT_SERVER and WALT_USER. */
export interface ClientConfig {
  server: string;
  username: string;
  /** WALT_TOKEN: a token the administrator issued, used instead of the saved one. */
  token?: string;
}

export const VALID_USER = /^[a-z_][a-z0-9_-]*$/;

/** ~/.walt/config ($WALT_CONFIG_FILE in tests); ~/.waltrc is the original's legacy name, still read. */
export function clientConfigFile(env: NodeJS.ProcessEnv = process.env): string {
  return env.WALT_CONFIG_FILE || join(homedir(), '.walt', 'config');
}

function legacyConfigFile(env: NodeJS.ProcessEnv): string | undefined {
  return env.WALT_CONFIG_FILE ? undefined : join(homedir(), '.waltrc');
}

/**
 * The original writes YAML: `walt: {server, username}` (plus `registries.hub` credentials), and the
 * legacy ~/.waltrc had `server:` at the top. Both load; JSON too, since it is YAML.
 */
export function readClientConfigFile(file: string): { settings: Partial<ClientConfig>; document: Record<string, unknown> } {
  if (!existsSync(file)) return { settings: {}, document: {} };
  let document: unknown;
  try {
    const text = readFileSync(file, 'utf8');
    document = readSimpleYamlConfig(text) ?? yaml().parse(text) ?? {};
  } catch (e) {
    throw new CliError(`cannot read ${file}: not valid YAML (${String((e as Error).message).split('\n')[0]}); fix or delete it, then retry`);
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new CliError(`cannot read ${file}: expected "walt: {server: ..., username: ...}" (fix or delete it, then retry)`);
  }
  const doc = document as Record<string, unknown>;
  const section = (typeof doc.walt === 'object' && doc.walt !== null ? doc.walt : doc) as Record<string, unknown>;
  const settings: Partial<ClientConfig> = {};
  if (typeof section.server === 'string' && section.server.trim()) settings.server = section.server.trim();
  if (typeof section.username === 'string' && section.username.trim()) settings.username = section.username.trim();
  return { settings, document: doc };
}

/** Save the settings in the original's layout, keeping the file's other keys; mode 0600 (it may hold registry credentials). */
export function saveClientConfig(file: string, settings: Partial<ClientConfig>, document: Record<string, unknown> = {}): void {
  const walt = { ...((typeof document.walt === 'object' && document.walt) || {}), ...settings };
  const rest = Object.fromEntries(Object.entries(document).filter(([k]) => !['walt', 'server', 'username'].includes(k)));
  // No empty `walt: {}` (a file holding only tokens): the quick reader would hand it to the YAML library.
  const content = Object.keys(walt).length ? { walt, ...rest } : rest;
  const text = `# WalT configuration file\n# ***********************\n\n${yaml().stringify(content, { indent: 4 })}`;
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.tmp`;
  try {
    const fd = openSync(temp, 'w', 0o600);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    chmodSync(temp, 0o600);
    renameSync(temp, file);
  } catch (e) {
    try {
      unlinkSync(temp);
    } catch {
      /* never created */
    }
    throw new CliError(`cannot save ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); set WALT_SERVER and WALT_USER instead`);
  }
}

/** True when a server is configured, so a command may contact it without prompting. */
export function hasServerConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.WALT_SERVER) return true;
  try {
    return !!readClientConfigFile(clientConfigFile(env)).settings.server;
  } catch {
    return false;
  }
}

export interface LoadClientConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** Ask for missing settings (default: when stdin and stderr are terminals). */
  interactive?: boolean;
  /** Streams of the first-run prompt (the terminal by default; stderr, so `walt ... > file` still shows it). */
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
}

/**
 * The client settings: WALT_SERVER / WALT_USER, else ~/.walt/config. On a terminal, the first run asks
 * for the missing ones and saves them; elsewhere a missing server is a one-line error that says what to set.
 */
export async function loadClientConfig(options: LoadClientConfigOptions = {}): Promise<ClientConfig> {
  const env = options.env ?? process.env;
  const file = clientConfigFile(env);
  let loaded = readClientConfigFile(file);
  const legacy = legacyConfigFile(env);
  if (!existsSync(file) && legacy && existsSync(legacy)) loaded = readClientConfigFile(legacy);
  const fromFile = loaded.settings;
  let server = env.WALT_SERVER?.trim() || fromFile.server;
  let username = env.WALT_USER?.trim() || fromFile.username;
  const interactive = options.interactive ?? !!(process.stdin.isTTY && process.stderr.isTTY);
  if ((!server || !username) && interactive) {
    const output = options.output ?? process.stderr;
    const rl = createInterface({ input: options.input ?? process.stdin, output, terminal: false });
    const lines = rl[Symbol.asyncIterator]();
    const ask = async (question: string): Promise<string> => {
      output.write(question);
      const next = await lines.next();
      if (next.done) throw new CliError('configuration aborted (no answer); set WALT_SERVER and WALT_USER, or run walt again on a terminal');
      return String(next.value).trim();
    };
    const saved: Partial<ClientConfig> = { ...fromFile };
    try {
      output.write('Starting configuration of the walt client.\n');
      while (!server || !serverBaseUrlOf(server)) {
        if (server) output.write(`Invalid server address (expected ${SERVER_ADDRESS_FORMS}).\n`);
        server = (await ask('ip or hostname of WalT server: ')) || undefined;
        saved.server = server;
      }
      const suggestion = env.USER && VALID_USER.test(env.USER) ? env.USER : undefined;
      while (!username || !VALID_USER.test(username)) {
        username = (await ask(`username${suggestion ? ` [${suggestion}]` : ''}: `)) || suggestion;
        if (username && !VALID_USER.test(username)) output.write('Invalid user name (use lowercase letters, digits, "_" and "-", starting with a letter).\n');
        saved.username = username;
      }
    } finally {
      rl.close();
    }
    saveClientConfig(file, saved, loaded.document);
    output.write(`Configuration saved in ${file}.\n`);
  }
  if (!server) {
    throw new CliError(`no WalT server configured: set WALT_SERVER (e.g. WALT_SERVER=127.0.0.1:12345), or run walt once on a terminal to create ${file}`, 'no-server');
  }
  if (!serverBaseUrlOf(server)) {
    const origin = env.WALT_SERVER?.trim() ? 'WALT_SERVER' : `walt.server in ${existsSync(file) || !legacy ? file : legacy}`;
    throw new CliError(`invalid WalT server address '${server}' (${origin}): expected ${SERVER_ADDRESS_FORMS}`, 'invalid-server');
  }
  if (!username) username = env.USER || 'root';
  if (!VALID_USER.test(username)) throw new CliError(`invalid user name '${username}': use lowercase letters, digits, '_' and '-' (set WALT_USER)`, 'invalid-user');
  const token = env.WALT_TOKEN?.trim() || undefined;
  return { server, username, ...(token ? { token } : {}) };
}
