import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import type { Client, ClientChannel, PseudoTtyOptions } from 'ssh2';
import { WaltError } from '../../errors.js';
import { serverSshKeys } from '../../images/server-ssh-keys.js';

/** OpenSSH allows 10 sessions per connection (MaxSessions); a busier node gets another connection. */
const CHANNELS_PER_CONNECTION = 8;

interface Connection {
  client: Client;
  ready: Promise<void>;
  channels: number;
  idleTimer?: NodeJS.Timeout;
  closed: boolean;
}

export interface NodeSshOptions {
  /** `<data dir>/keys`: the server's key (id_ed25519) and the host key all nodes share. */
  keysDir: string;
  /** A connection with no open channel is closed after this long. */
  idleMs?: number;
  /** The nodes' SSH port (22). */
  port?: number;
}

/**
 * The server's SSH connections to nodes (ssh2): one connection per node, reused by every shell, run,
 * cp and expose, closed when idle. The node must present the server-wide host key (every image view
 * carries it) and accepts the server's key for root; anything else is refused.
 */
export class NodeSshPool {
  private readonly connections = new Map<string, Connection[]>();
  private readonly idleMs: number;
  private readonly port: number;
  private keys?: { privateKey: Buffer; hostKey: Buffer; hostKeyType: string };

  constructor(private readonly options: NodeSshOptions) {
    this.idleMs = options.idleMs ?? 60_000;
    this.port = options.port ?? 22;
  }

  /** Runs `command` on the node (a pty when `pty` is given); the channel is released when it closes. */
  exec(ip: string, name: string, command: string, pty?: PseudoTtyOptions): Promise<ClientChannel> {
    return this.channel(ip, name, (client, cb) => (pty ? client.exec(command, { pty }, cb) : client.exec(command, cb)));
  }

  /** An interactive login shell (always with a pty). */
  shell(ip: string, name: string, pty: PseudoTtyOptions): Promise<ClientChannel> {
    return this.channel(ip, name, (client, cb) => client.shell(pty, cb));
  }

  /** A TCP connection from the node to its own `port` (direct-tcpip, as `ssh -L`). */
  forward(ip: string, name: string, port: number): Promise<ClientChannel> {
    return this.channel(ip, name, (client, cb) => client.forwardOut('127.0.0.1', 0, '127.0.0.1', port, cb));
  }

  /** The server's own key (also offered to devices by `walt device shell`). */
  privateKey(): Buffer {
    return this.loadKeys().privateKey;
  }

  close(): void {
    for (const list of this.connections.values()) for (const c of list) c.client.end();
    this.connections.clear();
  }

  private async channel(ip: string, name: string, open: (client: Client, cb: (err: Error | undefined, ch: ClientChannel) => void) => void): Promise<ClientChannel> {
    const conn = this.connectionFor(ip, name);
    conn.channels++;
    clearTimeout(conn.idleTimer);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      conn.channels--;
      if (conn.channels === 0 && !conn.closed) conn.idleTimer = setTimeout(() => conn.client.end(), this.idleMs).unref();
    };
    try {
      await conn.ready;
      const ch = await new Promise<ClientChannel>((resolve, reject) => open(conn.client, (err, ch) => (err ? reject(err) : resolve(ch))));
      ch.once('close', release);
      return ch;
    } catch (e) {
      release();
      if (e instanceof WaltError) throw e;
      throw new WaltError('ssh-failed', `cannot open a session on ${name}: ${(e as Error).message}`, 502);
    }
  }

  private connectionFor(ip: string, name: string): Connection {
    const list = this.connections.get(ip) ?? [];
    this.connections.set(ip, list);
    const free = list.find((c) => !c.closed && c.channels < CHANNELS_PER_CONNECTION);
    if (free) return free;
    const keys = this.loadKeys();
    const client = new ssh2.Client();
    const conn: Connection = { client, channels: 0, closed: false, ready: Promise.resolve() };
    const drop = () => {
      conn.closed = true;
      clearTimeout(conn.idleTimer);
      const at = list.indexOf(conn);
      if (at >= 0) list.splice(at, 1);
      if (!list.length && this.connections.get(ip) === list) this.connections.delete(ip);
    };
    let hostKeyRefused = false;
    conn.ready = new Promise<void>((resolve, reject) => {
      client.once('ready', () => resolve());
      client.once('error', (e: Error) => {
        drop();
        const why = hostKeyRefused ? 'its SSH host key is not the WalT nodes\' one (is it running a WalT image?)' : e.message;
        reject(new WaltError('ssh-failed', `cannot reach ${name} over SSH: ${why}`, 502));
      });
    });
    conn.ready.catch(() => undefined);
    client.on('error', () => undefined);
    client.on('close', drop);
    list.push(conn);
    client.connect({
      host: ip,
      port: this.port,
      username: 'root',
      privateKey: keys.privateKey,
      readyTimeout: 15_000,
      keepaliveInterval: 15_000,
      keepaliveCountMax: 3,
      // Only the shared key's type: a node's sshd also offers its image's own keys (ed25519, rsa),
      // which ssh2 would prefer and which are never the WalT nodes' key.
      algorithms: { serverHostKey: [keys.hostKeyType] as ssh2.ServerHostKeyAlgorithm[] },
      hostVerifier: (key: Buffer) => {
        hostKeyRefused = !key.equals(keys.hostKey);
        return !hostKeyRefused;
      },
    });
    return conn;
  }

  private loadKeys(): { privateKey: Buffer; hostKey: Buffer; hostKeyType: string } {
    if (this.keys) return this.keys;
    const { hostKeyPub } = serverSshKeys(this.options.keysDir);
    const [hostKeyType, blob] = hostKeyPub.trim().split(/\s+/);
    this.keys = { privateKey: readFileSync(join(this.options.keysDir, 'id_ed25519')), hostKey: Buffer.from(blob, 'base64'), hostKeyType };
    return this.keys;
  }
}
