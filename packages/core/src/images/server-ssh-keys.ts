import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** The server-wide SSH keys every node image view gets (walt-server-internals.md §5.2). */
export interface ServerSshKeys {
  /** Host key pair all nodes share (ECDSA, as the original): a node keeps its identity across images. */
  hostKey: string;
  hostKeyPub: string;
  /** The server's own public key, authorized for root on every node (`walt node shell`, ssh from the server). */
  clientKeyPub: string;
}

function ensureKey(file: string, type: 'ecdsa' | 'ed25519', comment: string): void {
  if (existsSync(file) && existsSync(`${file}.pub`)) return;
  rmSync(file, { force: true });
  rmSync(`${file}.pub`, { force: true });
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', comment, '-f', file], { timeout: 20_000, stdio: 'ignore' });
}

/**
 * The keys under `<data dir>/keys/`, generated once (ssh-keygen) on first use. The server's client key
 * lives there too rather than in root's ~/.ssh: a server never changes its user's own files.
 */
export function serverSshKeys(keysDir: string): ServerSshKeys {
  mkdirSync(keysDir, { recursive: true, mode: 0o700 });
  const host = join(keysDir, 'ssh_host_ecdsa_key');
  const client = join(keysDir, 'id_ed25519');
  ensureKey(host, 'ecdsa', 'walt-node');
  ensureKey(client, 'ed25519', 'walt-server');
  return {
    hostKey: readFileSync(host, 'utf8'),
    hostKeyPub: readFileSync(`${host}.pub`, 'utf8'),
    clientKeyPub: readFileSync(`${client}.pub`, 'utf8').trim(),
  };
}
