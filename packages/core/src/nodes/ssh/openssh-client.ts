import { spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { WaltError } from '../../errors.js';
import { localProcess } from '../../sessions/local-process.js';
import type { RemoteProcess } from '../../sessions/remote-process.js';
import { serverSshKeys } from '../../images/server-ssh-keys.js';

/** A node's shared connection closes after this long unused (the pool's idle time). */
const CONNECTION_IDLE_S = 60;

/** OpenSSH's client, when the server has it (Debian: openssh-client). */
export function findOpenSshClient(path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'ssh');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      /* not there */
    }
  }
  return undefined;
}

/**
 * A command on a node through OpenSSH's `ssh`, for bulk copies (`walt node cp`): the same key and
 * the same host key check as the ssh2 pool (every node presents the server-wide host key), but the
 * ciphers and the socket writes are OpenSSH's own (docs/decisions/0023-node-cp-throughput.md:
 * ssh2 without its native add-on spends about 3x OpenSSH's CPU per byte). No user configuration is
 * read, and nothing ever prompts.
 */
export class OpenSshClient {
  private knownHosts?: string;

  constructor(
    private readonly binary: string,
    private readonly keysDir: string,
  ) {}

  private readonly reached = new Set<string>();
  /** ssh's own messages go to a file per command (-E), apart from the remote command's stderr. */
  private logDir?: string;
  private logs = 0;

  /**
   * Runs `command` on node `name` (at `ip`). When ssh itself fails (exit 255 with a message of its
   * own: connection refused, host key refused...), `done` rejects with one line naming the node, as
   * the ssh2 pool's: "cannot reach <node> over SSH: <reason>". `stdinSocket`: a raw-stdin session's
   * socket, read by ssh itself.
   */
  exec(ip: string, name: string, command: string, stdinSocket?: Socket): RemoteProcess {
    this.reached.add(ip);
    this.logDir ??= mkdtempSync(join(tmpdir(), 'walt-ssh-log-'));
    const log = join(this.logDir, `${++this.logs}.log`);
    const proc = localProcess(this.binary, [...this.options(), '-E', log, `root@${ip}`, command], { stdinSocket });
    const done = proc.done.then((result) => {
      let messages = '';
      try {
        messages = readFileSync(log, 'utf8');
        rmSync(log, { force: true });
      } catch {
        /* ssh never started, or wrote nothing */
      }
      const reason = result.status === 255 ? sshFailureReason(messages) : undefined;
      if (reason) throw new WaltError('ssh-failed', `cannot reach ${name} over SSH: ${reason}`, 502);
      return result;
    });
    return { ...proc, done };
  }

  /** Ends the shared connections now (server stop) rather than after their idle time. */
  close(): void {
    for (const ip of this.reached) {
      const child = spawn(this.binary, [...this.options(), '-O', 'exit', `root@${ip}`], { stdio: 'ignore' });
      child.on('error', () => undefined);
    }
    this.reached.clear();
    if (this.logDir) rmSync(this.logDir, { recursive: true, force: true });
    this.logDir = undefined;
  }

  private options(): string[] {
    if (!this.knownHosts) {
      const { hostKeyPub } = serverSshKeys(this.keysDir);
      const [type, blob] = hostKeyPub.trim().split(/\s+/);
      this.knownHosts = join(this.keysDir, 'nodes_known_hosts');
      // Any address: a node is recognised by the one host key all WalT image views carry.
      writeFileSync(this.knownHosts, `* ${type} ${blob}\n`, { mode: 0o600 });
    }
    return [
      '-F', '/dev/null',
      '-T',
      '-i', join(this.keysDir, 'id_ed25519'),
      '-o', 'IdentitiesOnly=yes',
      '-o', 'BatchMode=yes',
      '-o', 'StrictHostKeyChecking=yes',
      '-o', `UserKnownHostsFile=${this.knownHosts}`,
      '-o', 'GlobalKnownHostsFile=/dev/null',
      '-o', 'ConnectTimeout=15',
      '-o', 'ServerAliveInterval=15',
      '-o', 'LogLevel=ERROR',
      // One connection per node shared by the copies that follow (no handshake each time), as the pool's.
      '-o', 'ControlMaster=auto',
      '-o', `ControlPath=${join(this.keysDir, 'cm-%C')}`,
      '-o', `ControlPersist=${CONNECTION_IDLE_S}`,
    ];
  }
}

/**
 * What ssh said when it failed (its last message, without the parts the caller already names), or
 * undefined when it said nothing (then an exit status of 255 is the remote command's own).
 */
export function sshFailureReason(messages: string): string | undefined {
  const last = messages.split(/\r?\n/).map((l) => l.trim()).filter(Boolean).at(-1);
  if (!last) return undefined;
  if (/^Host key verification failed/.test(last)) return "its SSH host key is not the WalT nodes' one (is it running a WalT image?)";
  return last
    .replace(/^ssh: connect to host \S+ port \d+: /, '')
    .replace(/^ssh: /, '')
    .replace(/^[^\s@]+@\S+: /, '')
    .replace(/\.$/, '');
}
