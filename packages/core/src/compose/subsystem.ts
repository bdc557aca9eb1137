import type { Router } from '../api/router.js';
import type { DeviceCleanup } from '../devices/device-cleanups.js';
import type { TcpRequestHandler } from '../logs/tcp-request-server.js';

/** A request of the TCP side channel (port 12347) a subsystem answers. */
export interface TcpRequest {
  id: number;
  name: string;
  handle: TcpRequestHandler;
}

/**
 * What one subsystem contributes, instead of registering itself: the composition root collects the
 * routes, TCP requests and device clean-ups, and the server runs `start` in composition order and
 * `stop` in reverse (as avvio boots a Fastify app). Every field is optional.
 */
export interface Subsystem {
  /** For messages ("cannot start dhcp: ..."). */
  readonly name: string;
  /** HTTP routes it serves. */
  routes?(router: Router): void;
  /** Requests it answers on the TCP side channel. */
  readonly tcpRequests?: readonly TcpRequest[];
  /** Its rows about a device, deleted when the device is forgotten (see DeviceCleanups). */
  readonly forget?: DeviceCleanup;
  /** Before the API listens (open sockets, restore state). */
  start?(): Promise<void>;
  /** Once the API listens and plugins are ready (e.g. virtual nodes run again). */
  ready?(): Promise<void>;
  stop?(): void | Promise<void>;
}
