/**
 * The process one third-party plugin runs in (forked by IsolatedPlugin, as Homebridge runs a child
 * bridge). It imports the plugin, runs its register() with the SDK's checks and sends the
 * contributions to the server: data copied, hooks as remote functions. Whatever the plugin does
 * here (a loop that never yields, process.exit, a throw from a timer) ends this process only; the
 * server withdraws the plugin and says so.
 */
import { mkdirSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { isWaltPlugin, registerPlugin, type PluginLogger, type SnmpSession, type SnmpTarget } from '@walt/sdk';
import { createPluginCache } from './plugin-cache.js';
import { RemoteCalls } from './remote-calls.js';
import type { ChildMessage, LoadRequest } from './plugin-child-protocol.js';

type SnmpRequest = (target: SnmpTarget, method: 'get' | 'walk' | 'table' | 'set', args: unknown[]) => Promise<unknown>;

const send = (message: ChildMessage | unknown) => {
  if (process.connected) process.send!(message);
};

let calls: RemoteCalls | undefined;

process.on('uncaughtException', (e) => crash(e));
process.on('unhandledRejection', (e) => crash(e));
// The server went away: nothing is left to serve.
process.on('disconnect', () => process.exit(0));

function crash(e: unknown): void {
  send({ t: 'uncaught', message: firstLine(e) } satisfies ChildMessage);
  // Let the message leave before exiting.
  setTimeout(() => process.exit(70), 50);
}

process.on('message', (message: unknown) => {
  if (calls?.handle(message)) return;
  const m = message as { t?: string };
  if (m?.t === 'load') void load(message as LoadRequest);
  else if (m?.t === 'ping') send({ t: 'pong', id: (message as { id: number }).id } satisfies ChildMessage);
});

// Ready to load: the server's load timeout counts from here, so only the plugin's own code is timed.
send({ t: 'hello' } satisfies ChildMessage);

async function load(request: LoadRequest): Promise<void> {
  calls = new RemoteCalls({
    send: (m) => send(m),
    timeoutMs: request.callTimeoutMs,
    timeoutMessage: () => `the server did not answer within ${request.callTimeoutMs} ms`,
  });
  try {
    let mod: { default?: unknown };
    try {
      mod = (await import(pathToFileURL(request.entry).href)) as { default?: unknown };
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'ERR_MODULE_NOT_FOUND' && /['"]@walt\/sdk['"]/.test(err.message)) {
        throw new Error(`cannot resolve @walt/sdk from ${request.dir} (install it with 'walt-server plugins add ${request.dir}', which links the server's SDK)`);
      }
      throw new Error(`cannot import ${request.entryShown}: ${firstLine(err)}`);
    }
    const plugin = mod.default;
    if (!isWaltPlugin(plugin)) throw new Error('its default export is not a plugin (export default definePlugin({...}) from @walt/sdk)');
    const snmpRequest = calls.unmarshal(request.snmp) as SnmpRequest;
    const log = (level: keyof PluginLogger) => (message: string) => send({ t: 'log', level, message: String(message) } satisfies ChildMessage);
    let open = true;
    const registration = await registerPlugin(plugin, {
      expected: { name: request.name, version: request.version },
      settings: request.settings,
      settingsSource: request.settingsSource,
      context: (settings) => {
        mkdirSync(request.dataDir, { recursive: true });
        return {
          name: plugin.name,
          settings: Object.freeze(settings),
          logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
          cache: createPluginCache(),
          snmp: { open: (target) => remoteSnmpSession(target, snmpRequest) },
          dataDir: request.dataDir,
        };
      },
      isOpen: () => open,
      lateCall: (call) => send({ t: 'log', level: 'warn', message: `api.${call}() called after its load was over: ignored` } satisfies ChildMessage),
    });
    open = false;
    send({
      t: 'loaded',
      registration: calls.marshal({
        contributions: registration.contributions,
        readyHooks: registration.readyHooks,
        shutdownHooks: registration.shutdownHooks,
      }),
    } satisfies ChildMessage);
  } catch (e) {
    send({ t: 'load-failed', error: firstLine(e) } satisfies ChildMessage);
  }
}

/** An SNMP session whose requests the server makes (plugins never open sockets themselves). */
function remoteSnmpSession(target: SnmpTarget, request: SnmpRequest): SnmpSession {
  const t = Object.freeze({ ...target });
  return {
    target: t,
    get: (oids) => request(t, 'get', [oids]) as ReturnType<SnmpSession['get']>,
    walk: (oid, maxRepetitions) => request(t, 'walk', [oid, maxRepetitions]) as ReturnType<SnmpSession['walk']>,
    table: (oid) => request(t, 'table', [oid]) as ReturnType<SnmpSession['table']>,
    set: (oid, type, value) => request(t, 'set', [oid, type, value]) as ReturnType<SnmpSession['set']>,
    close: () => undefined,
  };
}

function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n').map((l) => l.trim()).find(Boolean) ?? 'unknown error';
}
