import { readClientConfigFile, saveClientConfig } from './client-config.js';

/**
 * The client's tokens and pinned certificates, kept in the client config file (mode 0600) next to
 * `walt:` in two flat sections the quick reader understands (no YAML library at start-up):
 *
 *   tokens:
 *       alice-at-<server id>: alice:<secret>        (one per user name and server)
 *   certificates:
 *       server_10_0_0_1_12345: sha256:<hex>          (one per server address, as ssh's known_hosts)
 *
 * The server id is the fingerprint of its certificate (sent by GET /api/v1/version), so a user keeps
 * a token per server, and finds it again whatever address the server is reached at.
 */
export class ClientCredentials {
  constructor(
    /** Where they are kept; undefined: in memory only (unit tests). */
    readonly file: string | undefined,
  ) {}

  private memory: Record<string, Record<string, string>> = {};

  token(serverId: string, user: string): string | undefined {
    return this.section('tokens')[tokenKey(serverId, user)];
  }

  saveToken(serverId: string, user: string, token: string | undefined): void {
    this.update('tokens', tokenKey(serverId, user), token);
  }

  certificate(address: string): string | undefined {
    const value = this.section('certificates')[certificateKey(address)];
    return value?.startsWith('sha256:') ? value.slice(7) : undefined;
  }

  saveCertificate(address: string, fingerprint: string): void {
    this.update('certificates', certificateKey(address), `sha256:${fingerprint}`);
  }

  /** The config line that holds a pin (said in the message of a changed certificate). */
  certificateEntry(address: string): string {
    return `certificates: ${certificateKey(address)}`;
  }

  private section(name: string): Record<string, string> {
    if (!this.file) return (this.memory[name] ??= {});
    const value = readClientConfigFile(this.file).document[name];
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, string>) : {};
  }

  /** Read again just before writing: another walt (another user of the same file) may have saved meanwhile. */
  private update(name: string, key: string, value: string | undefined): void {
    if (!this.file) {
      const section = (this.memory[name] ??= {});
      if (value === undefined) delete section[key];
      else section[key] = value;
      return;
    }
    const { settings, document } = readClientConfigFile(this.file);
    const current = typeof document[name] === 'object' && document[name] !== null ? (document[name] as Record<string, string>) : {};
    const next = { ...current };
    if (value === undefined) delete next[key];
    else next[key] = value;
    saveClientConfig(this.file, settings, { ...document, [name]: next });
  }
}

function tokenKey(serverId: string, user: string): string {
  return `${user}-at-${serverId.slice(0, 32)}`;
}

function certificateKey(address: string): string {
  return `server_${address.replace(/[^A-Za-z0-9-]/g, '_')}`;
}
