import { WaltError } from '../errors.js';
import { requireUser } from '../nodes/node-ownership.js';
import type { VirtualNodeService } from '../nodes/virtual-node-service.js';
import { bodyObject, optionalBoolean, requiredString } from './device-routes.js';
import { STREAMED, type Router } from './router.js';

/** Most bytes one console input request may carry (keystrokes and pastes, not file transfers). */
const MAX_INPUT = 64 * 1024;

/**
 * Virtual nodes: create, remove, and the console. The console is two HTTP calls: a GET that streams
 * the VM's serial output (recent screen first) until the client hangs up, and POSTs of keystrokes.
 */
export function registerVirtualNodeRoutes(router: Router, vnodes: VirtualNodeService): void {
  router.post('/api/v1/nodes/create', async (req) => {
    const body = bodyObject(req.body);
    const { messages, warnings, node } = await vnodes.create(requiredString(body, 'name'), requireUser(req.user));
    return { messages, warnings, node: { name: node.name, mac: node.mac, ip: node.ip, model: node.model, image: node.image } };
  });

  router.post('/api/v1/nodes/:name/remove', async (req) => {
    const body = bodyObject(req.body ?? {});
    return vnodes.remove(req.params.name, requireUser(req.user), optionalBoolean(body, 'confirmed'));
  });

  router.get('/api/v1/nodes/:name/console', (req) => {
    const { console } = vnodes.console(req.params.name, requireUser(req.user), req.query.get('confirmed') === 'true');
    const res = req.res;
    req.raw.socket.setNoDelay(true);
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'cache-control': 'no-store' });
    const { recent, detach } = console.attach((chunk) => {
      if (!res.writableEnded) res.write(chunk);
    });
    if (recent.length) res.write(recent);
    else res.flushHeaders();
    const end = () => {
      detach();
      if (!res.writableEnded) res.end();
    };
    req.raw.on('close', end);
    res.on('close', end);
    return STREAMED;
  });

  router.post('/api/v1/nodes/:name/console/input', (req) => {
    const body = bodyObject(req.body);
    const data = Buffer.from(requiredString(body, 'data'), 'base64');
    if (data.length > MAX_INPUT) throw new WaltError('too-large', `console input is limited to ${MAX_INPUT} bytes per request`, 413);
    vnodes.input(req.params.name, data, requireUser(req.user), optionalBoolean(body, 'confirmed'));
    return { ok: true };
  });
}
