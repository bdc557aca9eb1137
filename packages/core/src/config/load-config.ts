import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { cosmiconfigSync } from 'cosmiconfig';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from './config-error.js';
import { parseServerConfig } from './config-schema.js';
import type { ServerConfig } from './server-config.js';

export const WALT_SERVER_CONF = '/etc/walt/server.conf';

/** The user data dir used by the embedded defaults: no root needed. */
export function defaultDataDir(): string {
  if (process.getuid?.() === 0 && !process.env.XDG_DATA_HOME) return '/var/lib/walt';
  const base = process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(base, 'walt-server');
}

/** Parse a WalT config text: YAML, or JSON with '#' comments (both parse as YAML). */
export function parseConfigText(text: string, file: string): unknown {
  try {
    return parseYaml(text, { prettyErrors: true }) ?? {};
  } catch (e) {
    const first = String((e as Error).message).split('\n')[0];
    throw new ConfigError(file, [`not valid YAML or JSON (${first})`]);
  }
}

/** Validate a config text as `walt-server-setup --edit-conf` does before saving. */
export function checkConfigText(text: string, file: string, dataDir = defaultDataDir()): ServerConfig {
  const raw = parseConfigText(text, file);
  const { config, problems } = parseServerConfig(raw, { dataDir, source: file });
  if (!config) throw new ConfigError(file, problems);
  return config;
}

/**
 * Find and load the server config: an explicit --config file, else /etc/walt/server.conf, else a
 * cosmiconfig file (module name "walt") in the working directory, else the embedded defaults.
 */
export function loadServerConfig(options: { configFile?: string; dataDir?: string } = {}): ServerConfig {
  const dataDir = options.dataDir ? resolve(options.dataDir) : defaultDataDir();
  let raw: unknown = {};
  let source = 'embedded defaults';
  if (options.configFile) {
    const file = resolve(options.configFile);
    if (!existsSync(file)) throw new ConfigError(file, ['file not found (check the --config path)']);
    raw = parseConfigText(readFileSync(file, 'utf8'), file);
    source = file;
  } else if (existsSync(WALT_SERVER_CONF)) {
    raw = parseConfigText(readFileSync(WALT_SERVER_CONF, 'utf8'), WALT_SERVER_CONF);
    source = WALT_SERVER_CONF;
  } else {
    const found = cosmiconfigSync('walt', {
      searchPlaces: ['.waltrc', '.waltrc.json', '.waltrc.yaml', '.waltrc.yml', 'walt.config.json', 'walt.config.yaml', 'walt.config.yml'],
      loaders: { noExt: (f, c) => parseConfigText(c, f), '.yaml': (f, c) => parseConfigText(c, f), '.yml': (f, c) => parseConfigText(c, f) },
    }).search();
    if (found && !found.isEmpty) {
      raw = found.config;
      source = found.filepath;
    }
  }
  const { config, problems } = parseServerConfig(raw, { dataDir, source });
  if (!config) throw new ConfigError(source, problems);
  // --data-dir wins over the file's data-dir.
  if (options.dataDir) config.dataDir = dataDir;
  return config;
}
