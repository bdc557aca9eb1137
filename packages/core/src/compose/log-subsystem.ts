import { registerLogRoutes } from '../api/log-routes.js';
import type { DeviceRegistry } from '../devices/device-registry.js';
import type { DeviceSets } from '../devices/device-set.js';
import { acceptLogConnection } from '../logs/incoming-log-connection.js';
import { IssuerRate } from '../logs/issuer-rate.js';
import { sharedRegexWorker } from '../logs/regex-worker.js';
import type { LogService } from '../logs/log-service.js';
import { isLoopback, peerIp } from '../logs/peer-address.js';
import { TCP_REQUESTS, TcpRequestServer } from '../logs/tcp-request-server.js';
import { CheckpointsRepository } from '../store/checkpoints-repository.js';
import type { Db } from '../store/database.js';
import type { LogsRepository } from '../store/logs-repository.js';
import type { Subsystem, TcpRequest } from './subsystem.js';

function listenError(host: string, port: number, e: unknown): Error {
  const why = (e as NodeJS.ErrnoException).code === 'EADDRINUSE' ? 'address in use (is another walt-server running?)' : (e as Error).message;
  return new Error(`cannot listen on ${host}:${port} for the TCP side channel (node logs): ${why}; change api.tcp-port in the config if needed`);
}

/** The original's TCP side-channel port (logs from nodes, bootup notifications...). */
export const DEFAULT_TCP_PORT = 12347;

export interface LogDeps {
  db: Db;
  logs: LogService;
  repo: LogsRepository;
  registry: DeviceRegistry;
  sets: DeviceSets;
}

/** Logs: the HTTP routes, the log lines nodes send on the TCP side channel, and forgetting a device's streams. */
export function composeLogs({ db, logs, repo, registry, sets }: LogDeps, tcpPort: () => number): Subsystem {
  const rate = new IssuerRate();
  let warming: Promise<void> = Promise.resolve();
  const incoming: TcpRequest = {
    ...TCP_REQUESTS.NEW_INCOMING_LOGS,
    handle: (socket, rest) => {
      const ip = peerIp(socket.remoteAddress);
      const issuer = registry.byIp(ip)?.mac ?? (isLoopback(ip) ? logs.serverIdentity.mac : undefined);
      // The server's own tools (loopback) are not limited; nodes are.
      acceptLogConnection(socket, rest, logs, issuer, isLoopback(ip) ? undefined : rate);
    },
  };
  return {
    name: 'logs',
    tcpRequests: [incoming],
    routes: (router) =>
      registerLogRoutes(router, {
        logs,
        repo,
        checkpoints: new CheckpointsRepository(db),
        devices: registry,
        resolveSet: (spec, user, allowed) => sets.resolve(spec, user, { allowed }),
        tcpPort,
        rate,
      }),
    forget: (device) => repo.forgetIssuer(device.mac),
    // User regular expressions run on a worker thread (linear time, off the serving thread): start it
    // early, beside the other subsystems, and be ready only once it is up (its start-up no longer
    // runs into the first DHCP requests: docs/decisions/0012).
    start: async () => {
      warming = sharedRegexWorker().warm();
    },
    ready: () => warming,
    // Commit what was received before the store closes.
    stop: () => logs.flush(),
  };
}

/**
 * The TCP side channel with every subsystem's requests, listening on `hosts` (falling back to the
 * first host alone when another address is not configured yet).
 */
export function composeTcpSideChannel(requests: readonly TcpRequest[], listenHosts: () => readonly string[], port: number, warn: (message: string) => void): Subsystem & { port(): number } {
  const tcp = new TcpRequestServer((request, e) => warn(`TCP request ${request} from a node failed: ${(e as Error)?.message ?? e}`));
  for (const r of requests) tcp.handle(r.id, r.name, r.handle);
  let bound = 0;
  return {
    name: 'tcp side channel',
    port: () => bound,
    start: async () => {
      const hosts = listenHosts();
      try {
        bound = await tcp.listen(hosts, port);
      } catch (e) {
        if (hosts.length === 1) throw listenError(hosts[0], port, e);
        await tcp.close();
        warn(`cannot listen for logs on ${hosts.slice(1).join(', ')} (${(e as Error).message}); TCP side channel on ${hosts[0]} only`);
        bound = await tcp.listen([hosts[0]], port).catch((e2: unknown) => {
          throw listenError(hosts[0], port, e2);
        });
      }
    },
    stop: () => tcp.close(),
  };
}
