import type { Device } from '../devices/device.js';
import type { DeviceRegistry } from '../devices/device-registry.js';
import { resolveDeviceSet } from '../devices/device-set.js';
import { invalid } from '../errors.js';
import { checkOwnership, requireUser } from '../nodes/node-ownership.js';
import type { Switches } from '../switches/switches.js';
import type { Router } from './router.js';

function body(req: { body: unknown }): Record<string, unknown> {
  if (req.body === undefined || req.body === null) return {};
  if (typeof req.body !== 'object' || Array.isArray(req.body)) throw invalid('expected a JSON object as request body');
  return req.body as Record<string, unknown>;
}

function stringField(b: Record<string, unknown>, name: string, fallback?: string): string {
  const v = b[name] ?? fallback;
  if (typeof v !== 'string' || !v) throw invalid(`missing '${name}' (a string)`);
  return v;
}

/**
 * Switch and reboot endpoints: rescan, tree, port-config, node reboot and wake-up. Every handler
 * validates first; a refusal changes nothing.
 */
export function registerSwitchRoutes(router: Router, registry: DeviceRegistry, switches: Switches, audit: (line: string) => void = () => undefined): void {
  const resolve = (spec: string, user: string | null, nodesOnly = false): Device[] =>
    resolveDeviceSet(spec, { devices: registry.all(), user, defaultImageOf: (m) => registry.defaultImageOf(m) }, { nodesOnly });

  router.post('/api/v1/switches/rescan', async (req) => {
    const devices = resolve(stringField(body(req), 'set', 'server,explorable-switches'), req.user);
    return switches.rescan.rescan(devices);
  });

  router.get('/api/v1/switches/tree', (req) => {
    const all = req.query.get('all') === '1' || req.query.get('all') === 'true';
    const unicode = req.query.get('ascii') !== '1';
    return { text: switches.topology.tree(all, unicode) };
  });

  router.get('/api/v1/switches/:name/ports', (req) => {
    const p = req.query.get('port');
    let port: number | undefined;
    if (p !== null) {
      if (!/^\d+$/.test(p)) throw invalid(`invalid port id '${p}' (a positive integer).`);
      port = Number(p);
    }
    return { text: switches.portConfig.show(req.params.name, port) };
  });

  router.post('/api/v1/switches/:name/ports/:port', (req) => {
    if (!/^\d+$/.test(req.params.port)) throw invalid(`invalid port id '${req.params.port}' (a positive integer).`);
    const settings = body(req).settings;
    if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) throw invalid("missing 'settings' (an object)");
    const strings: Record<string, string> = {};
    for (const [k, v] of Object.entries(settings)) {
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') throw invalid(`setting '${k}': expected a value such as true, false or a number, not ${v === null ? 'null' : typeof v}`);
      strings[k] = String(v);
    }
    return { message: switches.portConfig.configure(req.params.name, Number(req.params.port), strings) };
  });

  router.post('/api/v1/nodes/reboot', async (req) => {
    const b = body(req);
    const nodes = resolve(stringField(b, 'set'), req.user, true);
    // As the original: rebooting another user's node needs the explicit confirmation.
    checkOwnership(nodes, requireUser(req.user), 'owned-or-free', b.confirmed === true, { action: 'node reboot', log: audit });
    const wake = await switches.powersave.wake(nodes);
    const result = await switches.reboot.reboot(nodes, b.hard === true);
    return { lines: [...wake, ...result.lines], ok: result.ok };
  });

  router.post('/api/v1/nodes/wake', async (req) => {
    const nodes = resolve(stringField(body(req), 'set'), req.user, true);
    return { lines: await switches.powersave.wake(nodes) };
  });

  router.get('/api/v1/switches/:name/poe', async (req) => {
    const sw = registry.byName(req.params.name);
    if (!sw || sw.type !== 'switch') throw invalid(`Failed: ${req.params.name} is not a switch.`);
    const session = await switches.poe.open(sw).catch((e: Error) => {
      throw invalid(`cannot query ${sw.name}: ${e.message}`);
    });
    try {
      return { driver: session.driver.id, score: session.choice.score, ports: await session.poePorts() };
    } finally {
      session.close();
    }
  });
}
