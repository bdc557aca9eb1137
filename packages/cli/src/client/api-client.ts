import { CliError } from '../cli-error.js';
import type { ClientConfig } from './client-config.js';
import { SERVER_ADDRESS_FORMS, serverBaseUrlOf } from './server-address.js';
import { httpText } from './http-json-request.js';

/** The HTTP API version this client speaks. */
export const CLIENT_API_VERSION = 1;
const CLIENT_VERSION = '1.0.0';

/** "host", "host:port" or "http://host:port" -> base URL (default port 12345); a malformed address is a CliError. */
export function serverBaseUrl(server: string): string {
  const url = serverBaseUrlOf(server);
  if (!url) throw new CliError(`invalid WalT server address '${server}': expected ${SERVER_ADDRESS_FORMS}`, 'invalid-server');
  return url;
}

/** A thin JSON client of the server API: one-line errors, version check before the first call. */
export class ApiClient {
  private readonly base: string;
  private checked = false;

  constructor(readonly config: ClientConfig) {
    this.base = serverBaseUrl(config.server);
  }

  get username(): string {
    return this.config.username;
  }

  async request<T = unknown>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    if (!this.checked) await this.checkVersion(signal);
    return this.raw<T>(method, path, body, signal);
  }

  /** `signal` bounds the call (e.g. AbortSignal.timeout(ms)). */
  get<T = unknown>(path: string, signal?: AbortSignal): Promise<T> {
    return this.request<T>('GET', path, undefined, signal);
  }

  post<T = unknown>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body ?? {});
  }

  /** Open a streaming response (logs); the caller reads the body. */
  async stream(path: string, signal?: AbortSignal): Promise<Response> {
    if (!this.checked) await this.checkVersion(signal, true);
    const res = await this.fetch('GET', path, undefined, signal);
    if (!res.ok) this.fail(res.status, await res.text().catch(() => ''));
    return res;
  }

  /**
   * A request whose body or answer streams (a tar upload, NDJSON progress, a tar download), with the
   * headers of every other call; the caller checks the status and reads the body.
   */
  async send(method: string, path: string, init: { body?: RequestInit['body']; type?: string } = {}): Promise<Response> {
    if (!this.checked) await this.checkVersion(undefined, true);
    const streamed = init.body !== undefined && typeof init.body !== 'string';
    try {
      return await fetch(this.base + path, {
        method,
        headers: { ...this.headers(undefined), ...(init.type ? { 'content-type': init.type } : {}) },
        body: init.body,
        ...(streamed ? { duplex: 'half' } : {}),
      } as RequestInit);
    } catch {
      throw this.unreachable();
    }
  }

  /**
   * Where and how to open a session (HTTP Upgrade, see session-client.ts): this client's own base URL
   * and headers, after the version check, so sessions connect exactly as every other call does.
   */
  async sessionTarget(path: string): Promise<{ url: URL; headers: Record<string, string> }> {
    if (!this.checked) await this.checkVersion();
    return { url: new URL(this.base + path), headers: this.headers(undefined) };
  }

  /** An HTTP error answer as the CliError every call throws. */
  errorOf(status: number, text: string): CliError {
    try {
      this.fail(status, text);
    } catch (e) {
      return e as CliError;
    }
  }

  /** The error when the server cannot be reached. */
  unreachableError(): CliError {
    return this.unreachable();
  }

  /** `viaFetch`: before a stream, check through fetch too (one HTTP stack loaded, not two). */
  private async checkVersion(signal?: AbortSignal, viaFetch = false): Promise<void> {
    let v: { server?: unknown; api?: unknown };
    try {
      v = await this.raw<{ server?: unknown; api?: unknown }>('GET', '/api/v1/version', undefined, signal, viaFetch);
    } catch (e) {
      if (e instanceof CliError && e.code !== 'unreachable') {
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
    this.checked = true;
  }

  /** Streams (logs, console) read the body as it comes: fetch. */
  private async fetch(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<Response> {
    try {
      return await fetch(this.base + path, { method, headers: this.headers(body), body: body !== undefined ? JSON.stringify(body) : undefined, signal });
    } catch (e) {
      if ((e as Error).name === 'AbortError') throw e;
      throw this.unreachable();
    }
  }

  private headers(body: unknown): Record<string, string> {
    return { 'x-walt-user': this.config.username, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) };
  }

  private unreachable(): CliError {
    return new CliError(`Network connection to WalT server failed! (${this.config.server} unreachable: is walt-server running? check WALT_SERVER)`, 'unreachable');
  }

  private async raw<T>(method: string, path: string, body?: unknown, signal?: AbortSignal, viaFetch = false): Promise<T> {
    let res: { status: number; text: string };
    try {
      if (viaFetch) {
        const answer = await this.fetch(method, path, body, signal);
        res = { status: answer.status, text: await answer.text() };
      } else res = await httpText(this.base + path, { method, headers: this.headers(body), body: body !== undefined ? JSON.stringify(body) : undefined, signal });
    } catch (e) {
      if (e instanceof CliError) throw e;
      if ((e as Error).name === 'AbortError') throw e;
      throw this.unreachable();
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
