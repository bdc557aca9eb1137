import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { cosmiconfigSync, type Loader } from 'cosmiconfig';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from './config-error.js';
import { parseServerConfig } from './config-schema.js';
import type { ServerConfig } from './server-config.js';

export { defaultConfigText } from './default-config-text.js';

export const WALT_SERVER_CONF = '/etc/walt/server.conf';

/** The files cosmiconfig looks for (module name "walt") in the working directory. No package.json: plugin packages have a "walt" block of their own. */
export const COSMICONFIG_PLACES = [
  '.waltrc',
  '.waltrc.json',
  '.waltrc.yaml',
  '.waltrc.yml',
  '.config/waltrc',
  '.config/waltrc.json',
  '.config/waltrc.yaml',
  '.config/waltrc.yml',
  'walt.config.json',
  'walt.config.yaml',
  'walt.config.yml',
];

/** The user data dir used by the embedded defaults: no root needed. */
export function defaultDataDir(): string {
  if (process.getuid?.() === 0 && !process.env.XDG_DATA_HOME) return '/var/lib/walt';
  const base = process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(base, 'walt-server');
}

/** Parse a WalT config text: YAML, or JSON with '#' comments (both parse as YAML). Empty text gives null. */
export function parseConfigText(text: string, file: string): unknown {
  try {
    return parseYaml(text, { prettyErrors: true }) ?? null;
  } catch (e) {
    const first = String((e as Error).message).split('\n')[0].replace(/:$/, '');
    throw new ConfigError(file, [`not valid YAML or JSON (${first})`]);
  }
}

/** Read and parse one config file; every failure is a ConfigError naming the file. */
export function readConfigFile(file: string): unknown {
  if (!existsSync(file)) throw new ConfigError(file, ['file not found (check the path, or create it with walt-server-setup --edit-conf)']);
  if (statSync(file).isDirectory()) throw new ConfigError(file, ['is a directory (give the path of the configuration file)']);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(file, [`cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`]);
  }
  return parseConfigText(text, file);
}

/** Validate a config text as `walt-server-setup --edit-conf` does before saving. */
export function checkConfigText(text: string, file: string, dataDir = defaultDataDir()): ServerConfig {
  const raw = parseConfigText(text, file);
  const { config, problems } = parseServerConfig(raw, { dataDir, source: file });
  if (!config) throw new ConfigError(file, problems);
  return config;
}

export interface LoadConfigOptions {
  /** --config: this file and no other. */
  configFile?: string;
  /** --data-dir: wins over the file's data-dir. */
  dataDir?: string;
  /** The WalT file looked at first (tests change it). */
  systemFile?: string;
  /** Where cosmiconfig looks (default: the working directory). */
  searchFrom?: string;
}

/** Which file the server would load, without loading it: for `--edit-conf` and messages. */
export function findConfigFile(options: LoadConfigOptions = {}): string | undefined {
  if (options.configFile) return resolve(options.configFile);
  const systemFile = options.systemFile ?? WALT_SERVER_CONF;
  if (existsSync(systemFile)) return systemFile;
  return cosmiconfigSearch(options.searchFrom)?.filepath;
}

function cosmiconfigSearch(from?: string): { filepath: string; config: unknown } | null {
  const load: Loader = (file, content) => parseConfigText(content, file);
  const explorer = cosmiconfigSync('walt', {
    searchPlaces: COSMICONFIG_PLACES,
    searchStrategy: 'none',
    cache: false,
    loaders: { noExt: load, '.json': load, '.yaml': load, '.yml': load },
  });
  const found = explorer.search(from ?? process.cwd());
  return found ? { filepath: found.filepath, config: found.isEmpty ? null : found.config } : null;
}

/**
 * Find and load the server config: an explicit --config file, else /etc/walt/server.conf, else a
 * cosmiconfig file (module name "walt") in the working directory, else the embedded defaults.
 */
export function loadServerConfig(options: LoadConfigOptions = {}): ServerConfig {
  const dataDir = options.dataDir ? resolve(options.dataDir) : defaultDataDir();
  let raw: unknown;
  let source = 'embedded defaults';
  const systemFile = options.systemFile ?? WALT_SERVER_CONF;
  if (options.configFile) {
    source = resolve(options.configFile);
    raw = readConfigFile(source);
  } else if (existsSync(systemFile)) {
    source = systemFile;
    raw = readConfigFile(systemFile);
  } else {
    const found = cosmiconfigSearch(options.searchFrom);
    if (found) {
      source = found.filepath;
      raw = found.config;
    }
  }
  const { config, problems } = parseServerConfig(raw, { dataDir, source });
  if (!config) throw new ConfigError(source, problems);
  if (options.dataDir) config.dataDir = dataDir;
  return config;
}
