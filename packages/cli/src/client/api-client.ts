import { CliError } from '../cli-error.js';
import type { ClientConfig } from './client-config.js';
import type { Readable } from 'node:stream';
import { SERVER_ADDRESS_FORMS, isLoopbackHost, serverBaseUrlOf } from './server-address.js';
import { httpExchange, httpText } from './http-json-request.js';
import { ClientCredentials } from './client-credentials.js';
import type { Agent } from 'node:https';
import type { CertificatePin } from './pinned-tls.js';

/** A streaming answer (logs, console): its status and its body, read as it comes. */
export interface StreamAnswer {
  status: number;
  body: AsyncIterable<Uint8Array>;
}

/** The HTTP API version this client speaks. */
export const CLIENT_API_VERSION = 1;
const CLIENT_VERSION = '1.0.0';

/** "host", "host:port" or "http://host:port" -> base URL (default port 12345); a malformed address is a CliError. */
export function serverBaseUrl(server: string): string {
  const url = serverBaseUrlOf(server);
  if (!url) throw new CliError(`invalid WalT server address '${server}': expected ${SERVER_ADDRESS_FORMS}`, 'invalid-server');
  return url;
}

/** A thin JSON client of the server API: one-line errors, version check before the first call, a token per user and server. */
export class ApiClient {
  private readonly base: string;
  private checked = false;
  /** The server's identity (its certificate's fingerprint), from the version check. */
  private serverId = '';
  private token: string | undefined;
  /** The token came from the config file (not WALT_TOKEN): if refused, it may be claimed again. */
  private tokenSaved = false;
  /** https: the pinned, kept-alive connections (one handshake per walt run). */
  private agent?: Promise<Agent>;

  constructor(
    readonly config: ClientConfig,
    private readonly credentials = new ClientCredentials(undefined),
  ) {
    this.base = serverBaseUrl(config.server);
    const url = new URL(this.base);
    if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
      throw new CliError(`refusing to send your token in clear to ${config.server}: use https:// (the default for any address but loopback), in WALT_SERVER or ~/.walt/config`, 'insecure-server');
    }
  }

  get username(): string {
    return this.config.username;
  }

  async request<T = unknown>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    await this.prepare(signal);
    try {
      return await this.raw<T>(method, path, body, signal);
    } catch (e) {
      // A saved token the server no longer knows (reset by the admin): claim the name again, once.
      if (!(e instanceof CliError) || e.code !== 'bad-token' || !this.tokenSaved) throw e;
      this.credentials.saveToken(this.serverId, this.username, undefined);
      this.token = undefined;
      await this.prepare(signal);
      return this.raw<T>(method, path, body, signal);
    }
  }

  /** `signal` bounds the call (e.g. AbortSignal.timeout(ms)). */
  get<T = unknown>(path: string, signal?: AbortSignal): Promise<T> {
    return this.request<T>('GET', path, undefined, signal);
  }

  post<T = unknown>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body ?? {});
  }

  /**
   * Open a streaming response (logs, console); the caller reads the body; `signal` ends it. The body is
   * node:http's own stream: wrapping it in a web Response costs as much CPU as fetch did (cli-start bench).
   */
  async stream(path: string, signal?: AbortSignal): Promise<StreamAnswer> {
    await this.prepare(signal);
    let res: Awaited<ReturnType<typeof httpExchange>>;
    try {
      res = await httpExchange(this.base + path, { method: 'GET', headers: this.headers(), signal, agent: await this.httpsAgent() });
    } catch (e) {
      throw this.networkError(e);
    }
    const status = res.statusCode ?? 0;
    if (status < 200 || status > 299) {
      const chunks: Buffer[] = [];
      try {
        for await (const c of res) chunks.push(c as Buffer);
      } catch {
        /* the status says enough */
      }
      this.fail(status, Buffer.concat(chunks).toString('utf8'));
    }
    return { status, body: res };
  }

  /**
   * Where and how to open a session (HTTP Upgrade, see session-client.ts): this client's own base URL,
   * headers (the token) and pinned TLS agent, so sessions connect exactly as every other call does.
   */
  async sessionTarget(path: string): Promise<{ url: URL; headers: Record<string, string>; agent?: Agent }> {
    await this.prepare();
    return { url: new URL(this.base + path), headers: this.headers(), agent: await this.httpsAgent() };
  }

  /** An HTTP error answer as the CliError every call throws. */
  errorOf(status: number, text: string): CliError {
    try {
      this.fail(status, text);
    } catch (e) {
      return e as CliError;
    }
  }

  /** The error when the server cannot be reached (or TLS with it fails). */
  unreachableError(e?: unknown): Error {
    return e === undefined ? this.unreachable() : this.networkError(e);
  }

  /** A request whose body or answer is a stream (tar transfers, progress): the answer as a fetch Response, unchecked. */
  async send(method: string, path: string, init: { body?: string | Readable; type?: string; signal?: AbortSignal } = {}): Promise<Response> {
    await this.prepare(init.signal);
    let answer;
    try {
      answer = await httpExchange(this.base + path, { method, headers: this.headers(init.type), body: init.body, signal: init.signal, agent: await this.httpsAgent() });
    } catch (e) {
      throw this.networkError(e);
    }
    const { Readable: NodeReadable } = await import('node:stream');
    const status = answer.statusCode ?? 0;
    const headers = Object.entries(answer.headers).flatMap(([k, v]) => (v === undefined ? [] : (Array.isArray(v) ? v : [v]).map((x) => [k, x] as [string, string])));
    return new Response(status === 204 || status === 304 ? null : (NodeReadable.toWeb(answer) as ReadableStream), { status, headers });
  }

  /** Version check, then a token for this user on this server (claimed on first use). */
  private async prepare(signal?: AbortSignal): Promise<void> {
    if (!this.checked) await this.checkVersion(signal);
    if (this.token === undefined) await this.obtainToken(signal);
  }

  private async checkVersion(signal?: AbortSignal): Promise<void> {
    let v: { server?: unknown; api?: unknown; id?: unknown };
    try {
      v = await this.raw<{ server?: unknown; api?: unknown; id?: unknown }>('GET', '/api/v1/version', undefined, signal);
    } catch (e) {
      if (e instanceof CliError && !['unreachable', 'certificate-changed'].includes(e.code)) {
        throw new CliError(`${this.config.server} does not answer like a WalT server (GET /api/v1/version: ${e.message}); check WALT_SERVER or ~/.walt/config`, 'not-walt');
      }
      throw e;
    }
    if (typeof v !== 'object' || v === null || typeof v.api !== 'number') {
      throw new CliError(`${this.config.server} does not answer like a WalT server (no API version); check WALT_SERVER or ~/.walt/config`, 'not-walt');
    }
    if (v.api !== CLIENT_API_VERSION) {
      throw new CliError(
        `version mismatch: this walt client ${CLIENT_VERSION} speaks API v${CLIENT_API_VERSION}, the server (${String(v.server)}) speaks API v${v.api}; install the client matching the server`,
        'version-mismatch',
      );
    }
    this.serverId = typeof v.id === 'string' ? v.id : '';
    this.checked = true;
  }

  /** WALT_TOKEN, else the token saved for this user and server, else claim the user name (trust on first use). */
  private async obtainToken(signal?: AbortSignal): Promise<void> {
    if (this.config.token) {
      this.token = this.config.token;
      return;
    }
    const saved = this.credentials.token(this.serverId, this.username);
    if (saved) {
      this.token = saved;
      this.tokenSaved = true;
      return;
    }
    const claimed = await this.raw<{ token?: unknown }>('POST', '/api/v1/users/claim', { name: this.username }, signal);
    if (typeof claimed.token !== 'string') throw new CliError(`${this.config.server} gave no token for ${this.username}; is it a WalT server?`, 'bad-answer');
    this.credentials.saveToken(this.serverId, this.username, claimed.token);
    this.token = claimed.token;
    this.tokenSaved = true;
    if (process.stderr.isTTY) process.stderr.write(`User name ${this.username} is now yours on ${this.config.server}: its token is saved in ${this.credentials.file ?? 'memory'}.\n`);
  }

  private httpsAgent(): Promise<Agent> | undefined {
    const pin = this.pin();
    if (!pin) return undefined;
    this.agent ??= import('./pinned-tls.js').then((m) => m.pinnedAgent(pin));
    return this.agent;
  }

  /** https: the certificate of this address is pinned on first use, as ssh does with host keys. */
  private pin(): CertificatePin | undefined {
    if (!this.base.startsWith('https:')) return undefined;
    const address = new URL(this.base).host;
    const where = this.credentials.file ?? 'memory';
    return {
      expected: () => this.credentials.certificate(address),
      firstUse: (fingerprint) => {
        this.credentials.saveCertificate(address, fingerprint);
        process.stderr.write(`walt: first connection to ${address}: its certificate sha256:${fingerprint} is now trusted (saved in ${where}; the administrator can compare it with walt-server users certificate).\n`);
      },
      changed: (expected, actual) =>
        new CliError(
          `the certificate of ${address} changed (trusted sha256:${expected.slice(0, 16)}..., now sha256:${actual.slice(0, 16)}...): refusing to connect, it may be another machine. If the server was reinstalled, check with its administrator (walt-server users certificate), then remove ${this.credentials.certificateEntry(address)} from ${where}`,
          'certificate-changed',
        ),
    };
  }

  private headers(type?: string): Record<string, string> {
    return { ...(this.token ? { authorization: `Bearer ${this.token}` } : {}), ...(type ? { 'content-type': type } : {}) };
  }

  private unreachable(): CliError {
    return new CliError(`Network connection to WalT server failed! (${this.config.server} unreachable: is walt-server running? check WALT_SERVER)`, 'unreachable');
  }

  private networkError(e: unknown): Error {
    if (e instanceof CliError) return e;
    if ((e as Error).name === 'AbortError') return e as Error;
    const code = (e as NodeJS.ErrnoException).code ?? '';
    if (/CERT|SSL|TLS|SELF_SIGNED/i.test(code)) return new CliError(`TLS with ${this.config.server} failed (${code}): is it a WalT server? check WALT_SERVER`, 'tls');
    return this.unreachable();
  }

  private async raw<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    let res: { status: number; text: string };
    try {
      const json = body !== undefined ? JSON.stringify(body) : undefined;
      res = await httpText(this.base + path, { method, headers: this.headers(json !== undefined ? 'application/json' : undefined), body: json, signal, agent: await this.httpsAgent() });
    } catch (e) {
      throw this.networkError(e);
    }
    if (res.status < 200 || res.status > 299) this.fail(res.status, res.text);
    try {
      return JSON.parse(res.text) as T;
    } catch {
      throw new CliError(`the server answered ${method} ${path} with something other than JSON; is ${this.config.server} a WalT server?`, 'bad-answer');
    }
  }

  private fail(status: number, text: string): never {
    let message = `server answered HTTP ${status}`;
    let code = 'http-error';
    try {
      const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
      if (body.error?.message) message = body.error.message;
      if (body.error?.code) code = body.error.code;
    } catch {
      /* not JSON */
    }
    throw new CliError(message, code);
  }
}
