import type { DeviceSets } from '../devices/device-set.js';
import { WaltError } from '../errors.js';
import { TimeoutReached, type NodeBootStatus } from '../nodes/node-boot-status.js';
import { bodyObject, requiredString } from './device-routes.js';
import type { Router } from './router.js';

/** The longest a single wait request may block (the CLI's --timeout is bounded by it too). */
const MAX_WAIT_MS = 24 * 3600 * 1000;

/** `walt node wait`: block until every node of a set is booted (optionally waking powersaved nodes first). */
export function registerNodeStatusRoutes(
  router: Router,
  deps: { sets: DeviceSets; status: NodeBootStatus; wake?: (macs: string[]) => Promise<unknown> },
): void {
  router.post('/api/v1/nodes/wait', async (req) => {
    const body = bodyObject(req.body);
    const nodes = deps.sets.resolve(requiredString(body, 'set'), req.user, { nodesOnly: true });
    const timeout = body.timeout;
    if (timeout !== undefined && timeout !== null && (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout < 0)) {
      throw new WaltError('invalid', 'timeout must be a number of seconds, 0 or more');
    }
    const timeoutMs = typeof timeout === 'number' ? Math.min(timeout * 1000, MAX_WAIT_MS) : MAX_WAIT_MS;
    await deps.wake?.(nodes.map((n) => n.mac));
    const aborted = new AbortController();
    req.raw.once('close', () => aborted.abort());
    req.res.once('close', () => aborted.abort());
    try {
      await deps.status.waitBooted(
        nodes.map((n) => n.mac),
        timeoutMs,
        aborted.signal,
      );
    } catch (e) {
      if (e instanceof TimeoutReached) throw new WaltError('timeout', e.message, 408);
      throw new WaltError('aborted', (e as Error).message, 499);
    }
    return { booted: nodes.map((n) => n.name) };
  });
}
