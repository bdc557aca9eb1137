import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { CliError } from '../cli-error.js';

/** Client settings: ~/.walt/config, overridden by WALT_SERVER and WALT_USER. */
export interface ClientConfig {
  server: string;
  username: string;
}

export function clientConfigFile(): string {
  return process.env.WALT_CONFIG_FILE || join(homedir(), '.walt', 'config');
}

function readFileConfig(file: string): Partial<ClientConfig> {
  if (!existsSync(file)) return {};
  const out: Partial<ClientConfig> = {};
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    const walt = (parsed.walt ?? {}) as Record<string, unknown>;
    if (typeof walt.server === 'string') out.server = walt.server;
    if (typeof walt.username === 'string') out.username = walt.username;
  } catch {
    throw new CliError(`cannot read ${file}: it is not valid JSON (fix or delete it, then retry)`);
  }
  return out;
}

const VALID_USER = /^[a-z_][a-z0-9_-]*$/;

/**
 * The client settings, asking for the missing ones on a TTY the first time (and saving them),
 * failing with a one-line hint otherwise.
 */
export async function loadClientConfig(): Promise<ClientConfig> {
  const file = clientConfigFile();
  const fromFile = readFileConfig(file);
  let server = process.env.WALT_SERVER || fromFile.server;
  let username = process.env.WALT_USER || fromFile.username;
  if ((!server || !username) && process.stdin.isTTY && process.stdout.isTTY) {
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    try {
      process.stdout.write('Starting configuration of the walt client.\n');
      while (!server) server = (await rl.question('ip or hostname of WalT server: ')).trim() || undefined;
      while (!username || !VALID_USER.test(username)) {
        username = (await rl.question(`username [${process.env.USER ?? ''}]: `)).trim() || process.env.USER;
      }
    } finally {
      rl.close();
    }
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify({ walt: { server, username } }, null, 2) + '\n', { mode: 0o600 });
    process.stdout.write(`Configuration saved in ${file}.\n`);
  }
  if (!server) throw new CliError(`no WalT server configured: set WALT_SERVER (e.g. WALT_SERVER=127.0.0.1:12345) or run walt on a terminal once`);
  if (!username) username = process.env.USER || 'root';
  if (!VALID_USER.test(username)) throw new CliError(`invalid user name '${username}' (lowercase letters, digits, '_' and '-')`);
  return { server, username };
}
