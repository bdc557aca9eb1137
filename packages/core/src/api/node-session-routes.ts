import type { Socket } from 'node:net';
import { copyEndMarkerName, type SessionChannel } from '@walt/session-protocol';
import type { PseudoTtyOptions } from 'ssh2';
import type { Device } from '../devices/device.js';
import type { DeviceRegistry } from '../devices/device-registry.js';
import type { DeviceSets } from '../devices/device-set.js';
import { typeWithArticle } from '../devices/device-set.js';
import { WaltError, invalid } from '../errors.js';
import type { NodeBootStatus } from '../nodes/node-boot-status.js';
import { checkOwnership, requireUser } from '../nodes/node-ownership.js';
import { nodeServiceRequest } from '../nodes/reboot-protocol.js';
import type { NodeSshPool } from '../nodes/ssh/node-ssh-pool.js';
import type { OpenSshClient } from '../nodes/ssh/openssh-client.js';
import { deviceShell } from '../sessions/device-ssh-shell.js';
import { localProcess } from '../sessions/local-process.js';
import { receiveCommand, sendCommand } from '../sessions/node-copy-scripts.js';
import { relaySession } from '../sessions/relay-session.js';
import type { RemoteProcess } from '../sessions/remote-process.js';
import { sshProcess } from '../sessions/ssh-process.js';
import { tcpProcess } from '../sessions/tcp-process.js';
import { bodyObject, optionalBoolean, requiredString } from './device-routes.js';
import type { Router, SessionRequest } from './router.js';

export interface NodeSessionDeps {
  registry: DeviceRegistry;
  sets: DeviceSets;
  status: NodeBootStatus;
  ssh: NodeSshPool;
  /** OpenSSH's client for bulk copies; none: copies go through the pool too. */
  openssh?: OpenSshClient;
}

/**
 * The experiment loop's node side (issue 13): shell, run, cp and expose as sessions over the API
 * (docs/decisions/0019-session-transport.md), the server holding the SSH connections to nodes;
 * ping from the server (the client cannot reach walt-net), blink through the node's net service.
 */
export function registerNodeSessionRoutes(router: Router, deps: NodeSessionDeps): void {
  const { registry, sets, status, ssh } = deps;
  /** A copy's command on a node: through OpenSSH when the server has it (faster per byte), else the pool. */
  const bulk = async (node: Device & { ip: string }, command: string): Promise<RemoteProcess> =>
    deps.openssh ? deps.openssh.exec(node.ip, node.name, command) : sshProcess(await ssh.exec(node.ip, node.name, command));

  const notBooted = (nodes: readonly Device[]) => requireBooted(status, nodes);
  const reachableNode = (req: SessionRequest) => reachableNodeFor(deps, req.params.name, req.user, req.query.get('confirmed') === '1');

  // The nodes a command targets, checked once: ownership (with the original's confirmation) and boot.
  router.post('/api/v1/nodes/targets', (req) => {
    const body = bodyObject(req.body);
    const nodes = sets.resolve(requiredString(body, 'set'), req.user, { nodesOnly: true });
    checkOwnership(nodes, requireUser(req.user), 'owned-or-free', optionalBoolean(body, 'confirmed'));
    notBooted(nodes);
    return { nodes: nodes.map((n) => n.name) };
  });

  router.session('/api/v1/nodes/:name/shell', async (req) => {
    const node = reachableNode(req);
    const pty = ptyOf(req.query);
    return async (channel) => relaySession(channel, sshProcess(await ssh.shell(node.ip, node.name, pty)));
  });

  router.session('/api/v1/nodes/:name/run', async (req) => {
    const node = reachableNode(req);
    const args = req.query.getAll('arg');
    if (!args.length) throw invalid('missing the command to run');
    // As ssh does: the words joined by spaces, for the node's shell to interpret.
    const command = args.join(' ');
    const pty = req.query.get('term') === '1' ? ptyOf(req.query) : undefined;
    return async (channel) => relaySession(channel, sshProcess(await ssh.exec(node.ip, node.name, command, pty)));
  });

  router.session('/api/v1/nodes/:name/cp-to', async (req) => {
    const node = reachableNode(req);
    const dst = nonEmpty(req.query.get('path'), 'path');
    const name = nonEmpty(req.query.get('name'), 'name');
    if (name.includes('/') || name === '.' || name === '..') throw invalid(`invalid file name '${name}'`);
    const kind = req.query.get('kind') === 'dir' ? 'dir' : 'file';
    let endMarker: string;
    try {
      endMarker = copyEndMarkerName(nonEmpty(req.query.get('end'), 'end'));
    } catch (e) {
      throw e instanceof WaltError ? e : invalid((e as Error).message);
    }
    const command = receiveCommand(dst, name, kind, endMarker);
    const openssh = deps.openssh;
    if (req.rawStdinOffered && openssh) {
      // Raw stdin (docs/decisions/0026-node-cp-raw-stdin.md): ssh reads the client's tar straight
      // from the session's socket, spawned in the tick the 101 is written (before any byte is read).
      const run = (channel: SessionChannel) => relaySession(channel, openssh.exec(node.ip, node.name, command, channel.socket as Socket));
      return Object.assign(run, { rawStdin: true });
    }
    return async (channel) => relaySession(channel, await bulk(node, command));
  });

  router.session('/api/v1/nodes/:name/cp-from', async (req) => {
    const node = reachableNode(req);
    const src = nonEmpty(req.query.get('path'), 'path');
    return async (channel) => relaySession(channel, await bulk(node, sendCommand(src)));
  });

  for (const kind of ['nodes', 'devices'] as const) {
    const deviceOf = (req: SessionRequest): Device & { ip: string } => {
      if (kind === 'nodes') return reachableNode(req);
      const device = registry.get(req.params.name);
      if (!device.ip) throw new WaltError('no-address', `${device.name} has no IP address.`, 409);
      return device as Device & { ip: string };
    };
    router.session(`/api/v1/${kind}/:name/expose`, async (req) => {
      const device = deviceOf(req);
      const port = portOf(req.query.get('port'));
      const proc = await tcpProcess(device.ip, port, device.name);
      return (channel) => relaySession(channel, proc);
    });
    router.session(`/api/v1/${kind}/:name/ping`, (req) => {
      const device = registry.get(req.params.name);
      if (kind === 'nodes' && device.type !== 'node') throw new WaltError('not-a-node', `${device.name} is not a node, it is ${typeWithArticle(device.type)}.`, 400);
      if (!device.ip) throw new WaltError('no-address', `${device.name} has no IP address.`, 409);
      const ip = device.ip;
      return (channel) => relaySession(channel, localProcess('ping', ['-c', '3', '-W', '2', ip]));
    });
  }

  router.session('/api/v1/devices/:name/shell', (req) => {
    const device = registry.get(req.params.name);
    if (device.type === 'node') throw new WaltError('is-a-node', `${device.name} is a node. Use 'walt node shell ${device.name}' instead.`, 400);
    if (!device.ip) throw new WaltError('no-address', `${device.name} has no IP address.`, 409);
    const user = req.query.get('user') || 'root';
    if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}$/.test(user)) throw invalid(`invalid SSH user name '${user.slice(0, 40)}'`);
    const ip = device.ip;
    const pty = ptyOf(req.query);
    return async (channel) => {
      let shell;
      try {
        shell = await deviceShell(channel, { ip, name: device.name, user, privateKey: ssh.privateKey(), pty });
      } catch (e) {
        throw new WaltError('ssh-failed', (e as Error).message, 502);
      }
      await relaySession(channel, sshProcess(shell.ch), shell.pending);
    };
  });

  router.post('/api/v1/nodes/:name/blink', async (req) => {
    const body = bodyObject(req.body);
    const node = registry.get(req.params.name);
    if (node.type !== 'node') throw new WaltError('not-a-node', `${node.name} is not a node, it is ${typeWithArticle(node.type)}.`, 400);
    const on = optionalBoolean(body, 'on');
    if (on) {
      checkOwnership([node], requireUser(req.user), 'owned-or-free', optionalBoolean(body, 'confirmed'));
      notBooted([node]);
    }
    if (!node.ip) throw new WaltError('no-address', `${node.name} has no IP address yet.`, 409);
    const failure = await nodeServiceRequest(node.ip, `BLINK ${on ? 1 : 0}`);
    if (failure) throw new WaltError('blink-failed', `${node.name}: blink request failed (${failure}).`, 502);
    return { ok: true };
  });
}

function requireBooted(status: NodeBootStatus, nodes: readonly Device[]): void {
  const names = nodes.filter((n) => !status.isBooted(n.mac)).map((n) => n.name);
  if (names.length) {
    const list = names.join(',');
    throw new WaltError('not-booted', `${list} ${names.length === 1 ? 'is' : 'are'} not booted yet; see 'walt node wait ${list}'.`, 409);
  }
}

/** One node the server may reach for a user: known, a node, with an address, booted, and the user's (or confirmed). */
export function reachableNodeFor(deps: { registry: DeviceRegistry; status: NodeBootStatus }, name: string, user: string | null, confirmed: boolean): Device & { ip: string } {
  const node = deps.registry.get(name);
  if (node.type !== 'node') throw new WaltError('not-a-node', `${node.name} is not a node, it is ${typeWithArticle(node.type)}.`, 400);
  checkOwnership([node], requireUser(user), 'owned-or-free', confirmed);
  requireBooted(deps.status, [node]);
  if (!node.ip) throw new WaltError('no-address', `${node.name} has no IP address yet.`, 409);
  return node as Device & { ip: string };
}

function nonEmpty(value: string | null, field: string): string {
  if (!value) throw invalid(`missing '${field}'`);
  return value;
}

function portOf(value: string | null): number {
  const port = Number(value);
  if (!value || !Number.isInteger(port) || port < 1 || port > 65535) throw invalid(`invalid TCP port '${value ?? ''}' (1 to 65535)`);
  return port;
}

/** The client's terminal: its size and TERM (checked: they go to the node's sshd). */
function ptyOf(query: URLSearchParams): PseudoTtyOptions {
  const dim = (v: string | null, dflt: number) => {
    const n = Number(v);
    return Number.isInteger(n) && n > 0 && n < 10_000 ? n : dflt;
  };
  const term = query.get('term-type') ?? '';
  return { cols: dim(query.get('cols'), 80), rows: dim(query.get('rows'), 24), term: /^[A-Za-z0-9._+-]{1,64}$/.test(term) ? term : 'xterm' };
}
