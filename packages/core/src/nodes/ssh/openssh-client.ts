import { spawn } from 'node:child_process';
import { accessSync, constants, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
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

  exec(ip: string, command: string): RemoteProcess {
    this.reached.add(ip);
    return localProcess(this.binary, [...this.options(), `root@${ip}`, command]);
  }

  /** Ends the shared connections now (server stop) rather than after their idle time. */
  close(): void {
    for (const ip of this.reached) {
      const child = spawn(this.binary, [...this.options(), '-O', 'exit', `root@${ip}`], { stdio: 'ignore' });
      child.on('error', () => undefined);
    }
    this.reached.clear();
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
