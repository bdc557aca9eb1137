import { createServer, type Socket } from 'node:net';
import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.js';
import { CliError } from '../../cli-error.js';
import { nodeTargets } from '../../client/node-targets.js';
import { openSession, relaySession } from '../../client/session-client.js';

function portArg(value: string, what: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65535) throw new CliError(`<${what}> must be a TCP port number (1 to 65535), not '${value}'.`, 'invalid');
  return port;
}

/**
 * `walt node expose <node> <node-port> <local-port>` (and `walt device expose`): each connection to
 * the local port (on this machine's loopback) becomes a session; the server connects to the
 * node's port on walt-net and relays the bytes. Runs until Ctrl-C.
 */
export function registerExpose(category: Command, ctx: CliContext, kind: 'nodes' | 'devices'): void {
  const what = kind === 'nodes' ? 'node' : 'device';
  category
    .command('expose')
    .argument(`<${what}-name>`, `the ${what}`)
    .argument(`<${what}-port>`, `TCP port on the ${what}`)
    .argument('<local-port>', 'TCP port on this machine')
    .description(`expose a TCP port of a ${what} on this machine`)
    .option('--yes', "do not ask before using another user's node")
    .action(async (name: string, remotePortText: string, localPortText: string, opts: { yes?: boolean }) => {
      const remotePort = portArg(remotePortText, `${what}-port`);
      const localPort = portArg(localPortText, 'local-port');
      const api = await ctx.api();
      if (kind === 'nodes') await nodeTargets(api, name, { yes: opts.yes, single: true });
      const path = `/api/v1/${kind}/${encodeURIComponent(name)}/expose?confirmed=1&port=${remotePort}`;
      const server = createServer((socket: Socket) => {
        socket.on('error', () => undefined);
        openSession(api, path)
          .then((channel) => relaySession(channel, { stdin: socket, stdout: socket, stderr: process.stderr, forwardInterrupt: false }))
          .catch((e: Error) => process.stderr.write(`${name}:${remotePort}: ${e.message}\n`))
          .finally(() => socket.end());
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', (e: NodeJS.ErrnoException) => reject(new CliError(`cannot listen on TCP port ${localPort}: ${e.code === 'EADDRINUSE' ? 'already in use' : e.message}`, 'listen-failed')));
        server.listen(localPort, '127.0.0.1', () => resolve());
      });
      process.stdout.write(`Listening on TCP port ${localPort} and redirecting connections to ${name}:${remotePort}.\n`);
      await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
      server.close();
      process.stdout.write('\n');
      process.exit(0);
    });
}
