import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PluginLogger, SnmpSessionFactory, SnmpTarget } from '@walt/sdk';
import type { ChildMessage, LoadRequest } from './plugin-child-protocol.js';
import type { PluginManifest } from './plugin-manifest.js';
import { RemoteCalls } from './remote-calls.js';

type Hook = () => void | Promise<void>;

/** What a plugin's register() left, as it crossed from its process: data copied, hooks as async proxies. */
export interface IsolatedRegistration {
  contributions: Record<string, unknown[]>;
  readyHooks: Hook[];
  shutdownHooks: Hook[];
}

/** What a plugin process needs before it knows its plugin (it may be started ahead, in parallel). */
export interface PluginProcessOptions {
  /** Limit of one call into the plugin (a hook, a driver request), in ms. */
  callTimeoutMs: number;
  snmp: SnmpSessionFactory;
}

/** The plugin a started process loads, and where its news go. */
export interface PluginToLoad {
  manifest: PluginManifest;
  settings: Record<string, unknown>;
  settingsSource: string;
  dataDir: string;
  log: (level: keyof PluginLogger, message: string) => void;
  /** The process ended after the load (exit, crash, killed): the plugin must be withdrawn. */
  onDeath: (reason: string) => void;
}

/** Lines a plugin prints on its stdout/stderr are logged, cut to this length. */
const MAX_OUTPUT_LINE = 500;
/** Log lines (logger calls and output) a plugin's process may write per second; more are dropped and counted. */
const MAX_LOG_LINES_PER_SECOND = 200;
/** How long a plugin whose call timed out has to answer a ping before its process is killed. */
const PING_TIMEOUT_MS = 2000;

/**
 * One third-party plugin in its own Node process (Homebridge's child bridge). Its load and each call
 * into it are bounded in time; a process that stops answering is killed. Its death (process.exit, a
 * crash, an error nobody caught) is reported once through onDeath.
 */
export class IsolatedPlugin {
  private readonly child: ChildProcess;
  private readonly calls: RemoteCalls;
  private loadedFlag = false;
  private deathReason: string | undefined;
  private lastUncaught: string | undefined;
  private onLoadMessage: ((m: ChildMessage | { t: 'exit'; reason: string }) => void) | undefined;
  private pings = 0;
  private pingTimer: NodeJS.Timeout | undefined;
  private awaitingPong = false;
  private logWindow = { second: 0, lines: 0, dropped: 0 };
  private readonly hello: Promise<void>;
  private helloSettled: { resolve(): void; reject(e: Error): void } | undefined;

  /** Set by load(): the plugin this process runs. */
  private plugin: PluginToLoad | undefined;
  /** Lines logged before load() said where they go (output at start-up). */
  private readonly early: Array<[keyof PluginLogger, string]> = [];

  constructor(private readonly options: PluginProcessOptions) {
    this.child = fork(childScript(), [], {
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      // Plain Node: the server's own flags (inspector, loaders of a test runner) are not the plugin's.
      execArgv: [],
    });
    const name = () => this.plugin?.manifest.name ?? 'a plugin process';
    this.hello = new Promise((resolve, reject) => (this.helloSettled = { resolve, reject }));
    this.hello.catch(() => undefined);
    this.calls = new RemoteCalls({
      send: (m) => this.child.send(m),
      timeoutMs: options.callTimeoutMs,
      timeoutMessage: () => `${name()} did not answer within ${options.callTimeoutMs} ms`,
      onTimeout: () => this.checkAlive(),
    });
    forwardLines(this.child.stdout, (line) => this.log('info', line));
    forwardLines(this.child.stderr, (line) => this.log('warn', line));
    this.child.on('message', (m: unknown) => this.receive(m));
    this.child.on('error', (e) => this.died(`its process failed: ${e.message}`));
    this.child.on('exit', (code, signal) => {
      const how = signal ? `was killed (${signal})` : `exited with code ${code}`;
      this.died(this.lastUncaught ?? `its process ${how}`);
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Resolves once the process runs and waits for its plugin (Node started, the SDK imported). */
  started(): Promise<void> {
    return this.hello;
  }

  /** Import and register the plugin in its process; rejects with the one-line reason it failed. */
  load(plugin: PluginToLoad): Promise<IsolatedRegistration> {
    this.plugin = plugin;
    for (const [level, line] of this.early.splice(0)) plugin.log(level, line);
    const { manifest } = plugin;
    const snmp = (target: SnmpTarget, method: 'get' | 'walk' | 'table' | 'set', args: unknown[]) => this.snmpRequest(target, method, args);
    const request: LoadRequest = {
      t: 'load',
      entry: manifest.entry,
      dir: manifest.dir,
      entryShown: relative(manifest.dir, manifest.entry),
      name: manifest.name,
      version: manifest.version,
      settings: plugin.settings,
      settingsSource: plugin.settingsSource,
      dataDir: plugin.dataDir,
      callTimeoutMs: this.options.callTimeoutMs,
      snmp: this.calls.marshal(snmp),
    };
    return new Promise((resolve, reject) => {
      this.onLoadMessage = (m) => {
        this.onLoadMessage = undefined;
        if (m.t === 'loaded') {
          this.loadedFlag = true;
          resolve(this.calls.unmarshal(m.registration) as IsolatedRegistration);
        } else if (m.t === 'load-failed') reject(new Error(m.error));
        else if (m.t === 'exit') reject(new Error(`${m.reason} while loading`));
      };
      try {
        this.child.send(request);
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  }

  /** Stop the process for good (load timed out, server stopping); its death is not reported. */
  kill(): void {
    this.deathReason ??= 'stopped by the server';
    this.calls.close(new Error(`${this.plugin?.manifest.name ?? 'the plugin process'} is stopped`));
    clearTimeout(this.pingTimer);
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  private receive(message: unknown): void {
    if (this.calls.handle(message)) return;
    const m = message as ChildMessage;
    switch (m?.t) {
      case 'log':
        this.log(m.level, oneLine(String(m.message)));
        return;
      case 'uncaught':
        this.lastUncaught ??= m.message;
        return;
      case 'pong':
        if (m.id === this.pings) {
          clearTimeout(this.pingTimer);
          this.awaitingPong = false;
        }
        return;
      case 'hello':
        this.helloSettled?.resolve();
        return;
      case 'loaded':
      case 'load-failed':
        this.onLoadMessage?.(m);
        return;
    }
  }

  /** A plugin's log lines, bounded: a plugin printing in a loop cannot fill the platform log. */
  private log(level: keyof PluginLogger, message: string): void {
    const second = Math.floor(Date.now() / 1000);
    const w = this.logWindow;
    if (second !== w.second) {
      if (w.dropped) this.emit('warn', `${w.dropped} log lines dropped (more than ${MAX_LOG_LINES_PER_SECOND} in one second)`);
      this.logWindow = { second, lines: 0, dropped: 0 };
    }
    if (++this.logWindow.lines > MAX_LOG_LINES_PER_SECOND) {
      this.logWindow.dropped++;
      return;
    }
    this.emit(level, message);
  }

  private emit(level: keyof PluginLogger, message: string): void {
    if (this.plugin) this.plugin.log(level, message);
    else if (this.early.length < MAX_LOG_LINES_PER_SECOND) this.early.push([level, message]);
  }

  /** A call timed out: a plugin that does not even answer a ping is stuck (a loop): kill it. */
  private checkAlive(): void {
    if (this.deathReason || this.awaitingPong) return;
    this.awaitingPong = true;
    const id = ++this.pings;
    this.pingTimer = setTimeout(() => {
      this.lastUncaught ??= `stopped answering (a call took over ${this.options.callTimeoutMs} ms and a ping got no answer in ${PING_TIMEOUT_MS} ms): its process was killed`;
      this.child.kill('SIGKILL');
    }, PING_TIMEOUT_MS);
    try {
      this.child.send({ t: 'ping', id });
    } catch {
      /* exit reports it */
    }
  }

  private died(reason: string): void {
    clearTimeout(this.pingTimer);
    const reported = this.deathReason !== undefined;
    this.deathReason ??= reason;
    this.calls.close(new Error(`${this.plugin?.manifest.name ?? 'the plugin process'} is not running (${this.deathReason})`));
    this.helloSettled?.reject(new Error(`${reason} before it could load the plugin`));
    if (this.onLoadMessage) this.onLoadMessage({ t: 'exit', reason });
    else if (this.loadedFlag && !reported) this.plugin?.onDeath(reason);
  }

  private async snmpRequest(target: SnmpTarget, method: 'get' | 'walk' | 'table' | 'set', args: unknown[]): Promise<unknown> {
    const session = this.options.snmp.open(target);
    try {
      const fn = session[method] as (...a: unknown[]) => Promise<unknown>;
      if (typeof fn !== 'function') throw new Error(`unknown SNMP request ${String(method)}`);
      return await fn.apply(session, args);
    } finally {
      session.close();
    }
  }
}

/** The child's entry point: next to this file once built; from dist when the sources run (vitest). */
function childScript(): string {
  const here = fileURLToPath(new URL('./plugin-child.js', import.meta.url));
  if (existsSync(here)) return here;
  return join(fileURLToPath(new URL('../../dist/plugins/', import.meta.url)), 'plugin-child.js');
}

function forwardLines(stream: NodeJS.ReadableStream | null, to: (line: string) => void): void {
  if (!stream) return;
  let buffered = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffered += chunk;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl).trimEnd();
      buffered = buffered.slice(nl + 1);
      if (line) to(line.slice(0, MAX_OUTPUT_LINE));
    }
    if (buffered.length > MAX_OUTPUT_LINE) {
      to(buffered.slice(0, MAX_OUTPUT_LINE));
      buffered = '';
    }
  });
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' | ').trim();
}
