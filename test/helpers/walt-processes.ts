import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { userToken } from './api-token.js';

/** Paths of the built commands (tests run after `npm run build`). */
export const REPO = resolve(import.meta.dirname, '..', '..');
// `walt` as installed: the shim, which runs the bundle `npm run build` makes (packages/cli/scripts/bundle.mjs).
export const WALT_BIN = join(REPO, 'packages/cli/bin/walt.js');
export const WALT_SERVER_BIN = join(REPO, 'packages/server/dist/bin/walt-server.js');
export const WALT_SERVER_SETUP_BIN = join(REPO, 'packages/server/dist/bin/walt-server-setup.js');

/**
 * node, or node inside a network namespace (`ip netns exec <ns> node`: exec keeps the PID, so signals
 * reach node itself). The server must run in the namespace holding walt-net, and its API then
 * listens on that namespace's 127.0.0.1, so the `walt` CLI runs there too.
 */
export function nodeCommand(netns?: string): string[] {
  return netns ? ['ip', 'netns', 'exec', netns, process.execPath] : [process.execPath];
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run a node script to completion (bounded by timeoutMs), capturing its output. */
export function runNode(script: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number; cwd?: string; netns?: string } = {}): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const [cmd, ...pre] = nodeCommand(options.netns);
    const child = spawn(cmd, [...pre, script, ...args], {
      env: { ...process.env, ...options.env },
      cwd: options.cwd ?? REPO,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} ${args.join(' ')} timed out; stdout=${stdout} stderr=${stderr}`));
    }, options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code: code ?? 1, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

export interface ServerHandle {
  port: number;
  address: string;
  dataDir: string;
  configFile: string;
  /** Everything the server printed so far. */
  output(): string;
  /** The first match of `pattern` in the output, waiting for it (lines printed after listening: the ready line...). */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /**
   * `user`'s token on this server, as the handle's walt runs use it (for raw API calls). In a
   * namespace, walt claims it itself (a run is made if needed) and it is read from walt's config file.
   */
  token(user?: string): Promise<string>;
  /** Run `walt ...` against this server as `user` (default alice). */
  walt(args: readonly string[], options?: { user?: string; input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<RunResult>;
  /** Stop (SIGTERM, then SIGKILL after 5 s). Keeps the data dir unless `cleanup`. */
  stop(options?: { cleanup?: boolean; signal?: NodeJS.Signals }): Promise<void>;
  process: ChildProcess;
}

/**
 * Start `walt-server start` as a real process on a free port with its own data dir and config.
 * `config` is YAML text appended to the generated config (api port 0 unless given).
 */
export async function startServer(options: { config?: string; dataDir?: string; env?: NodeJS.ProcessEnv; args?: string[]; timeoutMs?: number; netns?: string; privateRun?: boolean } = {}): Promise<ServerHandle> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'walt-test-'));
  const configFile = join(dataDir, 'server.conf');
  const config = options.config ?? 'network:\n  walt-net:\n    raw-device: null\n    ip: 192.168.152.1/24\napi:\n  port: 0\n';
  writeFileSync(configFile, config);
  // privateRun: the server (and the rpcbind/ganesha it starts) sees a /run of its own, so that other
  // servers on the machine (older ones kept rpcbind's socket there) cannot take its NFS registrations.
  const command = nodeCommand(options.netns);
  const [cmd, ...pre] = options.privateRun
    ? [...command.slice(0, -1), 'unshare', '--mount', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs walt-test-run /run && exec "$@"', 'sh', command.at(-1)!]
    : command;
  const child = spawn(cmd, [...pre, WALT_SERVER_BIN, 'start', '--config', configFile, '--data-dir', dataDir, ...(options.args ?? [])], {
    env: { ...process.env, ...options.env },
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const port = await new Promise<number>((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start in time:\n${out}`));
    }, options.timeoutMs ?? 30_000);
    const check = () => {
      const m = /listening on http:\/\/[\d.]+:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolvePromise(Number(m[1]));
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${out}`));
    });
  });
  const address = `127.0.0.1:${port}`;
  const handle: ServerHandle = {
    port,
    address,
    dataDir,
    configFile,
    process: child,
    output: () => out,
    token: async (user = 'alice') => {
      if (!options.netns) return userToken(address, user);
      const file = join(dataDir, 'client-config-unused');
      const saved = () => (existsSync(file) ? new RegExp(`^\\s+${user}-at-[0-9a-f]+: (${user}:\\S+)$`, 'm').exec(readFileSync(file, 'utf8'))?.[1] : undefined);
      if (!saved()) {
        const r = await handle.walt(['device', 'show'], { user });
        if (r.code !== 0) throw new Error(`walt could not claim a token for ${user}: ${r.stderr}`);
      }
      const token = saved();
      if (!token) throw new Error(`no token of ${user} in ${file}`);
      return token;
    },
    waitForOutput: async (pattern, timeoutMs = 30_000) => {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const m = pattern.exec(out);
        if (m) return m;
        if (Date.now() > end || child.exitCode !== null) throw new Error(`the server never printed ${pattern}:\n${out}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    // The user's token (claimed once per server, shared with the tests' raw API calls) as WALT_TOKEN.
    walt: async (args, o = {}) => {
      const user = o.env?.WALT_USER ?? o.user ?? 'alice';
      // In a namespace the test process cannot reach the API: there walt claims the token itself (saved in its config file).
      const token = options.netns || (o.env && 'WALT_TOKEN' in o.env) ? {} : { WALT_TOKEN: await userToken(address, user) };
      return runNode(WALT_BIN, args, {
        netns: options.netns,
        env: { WALT_SERVER: address, WALT_USER: user, WALT_CONFIG_FILE: join(dataDir, 'client-config-unused'), ...token, ...o.env },
        input: o.input,
        timeoutMs: o.timeoutMs,
      });
    },
    stop: async ({ cleanup = false, signal = 'SIGTERM' } = {}) => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((r) => child.once('exit', () => r()));
        child.kill(signal);
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      }
      if (cleanup) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return handle;
}
