import type { DependencyContainer } from 'tsyringe';
import { registerLogRoutes } from '../api/log-routes.js';
import type { Router } from '../api/router.js';
import type { DeviceRegistry } from '../devices/device-registry.js';
import { DeviceSets } from '../devices/device-set.js';
import { CheckpointsRepository } from '../store/checkpoints-repository.js';
import type { Db } from '../store/database.js';
import type { LogsRepository } from '../store/logs-repository.js';
import { TOKENS } from '../tokens.js';
import { acceptLogConnection } from './incoming-log-connection.js';
import { IssuerRate } from './issuer-rate.js';
import { sharedRegexWorker } from './regex-worker.js';
import type { LogService } from './log-service.js';
import { isLoopback, peerIp } from './peer-address.js';
import { TCP_REQUESTS, TcpRequestServer } from './tcp-request-server.js';

function listenError(host: string, port: number, e: unknown): Error {
  const why = (e as NodeJS.ErrnoException).code === 'EADDRINUSE' ? 'address in use (is another walt-server running?)' : (e as Error).message;
  return new Error(`cannot listen on ${host}:${port} for the TCP side channel (node logs): ${why}; change api.tcp-port in the config if needed`);
}

/** The original's TCP side-channel port (logs from nodes, bootup notifications...). */
export const DEFAULT_TCP_PORT = 12347;

export interface LogSubsystem {
  /** The TCP side channel; other subsystems add their requests with `tcp.handle(...)`. */
  tcp: TcpRequestServer;
  tcpPort: number;
  stop(): Promise<void>;
}

/**
 * Start what the log needs besides LogService: the HTTP routes and the TCP side channel on `hosts`
 * (falling back to the first host alone when another address is not configured yet).
 */
export async function startLogSubsystem(
  container: DependencyContainer,
  router: Router,
  hosts: readonly string[],
  port: number,
  warn: (message: string) => void,
): Promise<LogSubsystem> {
  const logs = container.resolve<LogService>(TOKENS.LogService);
  const devices = container.resolve<DeviceRegistry>(TOKENS.DeviceRegistry);
  const checkpoints = new CheckpointsRepository(container.resolve<Db>(TOKENS.Db));
  const sets = container.resolve(DeviceSets);
  const tcp = new TcpRequestServer((request, e) => warn(`TCP request ${request} from a node failed: ${(e as Error)?.message ?? e}`));
  const rate = new IssuerRate();
  sharedRegexWorker().warm();
  let tcpPort = 0;

  tcp.handle(TCP_REQUESTS.NEW_INCOMING_LOGS.id, TCP_REQUESTS.NEW_INCOMING_LOGS.name, (socket, rest) => {
    const ip = peerIp(socket.remoteAddress);
    const issuer = devices.byIp(ip)?.mac ?? (isLoopback(ip) ? logs.serverIdentity.mac : undefined);
    // The server's own tools (loopback) are not limited; nodes are.
    acceptLogConnection(socket, rest, logs, issuer, isLoopback(ip) ? undefined : rate);
  });
  registerLogRoutes(router, {
    logs,
    repo: container.resolve<LogsRepository>(TOKENS.LogsRepository),
    checkpoints,
    devices,
    resolveSet: (spec, user, allowed) => sets.resolve(spec, user, { allowed }),
    tcpPort: () => tcpPort,
    rate,
  });

  try {
    tcpPort = await tcp.listen(hosts, port);
  } catch (e) {
    if (hosts.length === 1) throw listenError(hosts[0], port, e);
    await tcp.close();
    warn(`cannot listen for logs on ${hosts.slice(1).join(', ')} (${(e as Error).message}); TCP side channel on ${hosts[0]} only`);
    tcpPort = await tcp.listen([hosts[0]], port).catch((e2: unknown) => {
      throw listenError(hosts[0], port, e2);
    });
  }
  return {
    tcp,
    tcpPort,
    stop: async () => {
      await tcp.close();
      // Commit what was received before the store closes.
      logs.flush();
    },
  };
}
