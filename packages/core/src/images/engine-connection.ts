import { request } from 'node:http';
import Docker from 'dockerode';
import { WaltError } from '../errors.js';

/** Podman's socket: the system one for root, the user's one otherwise. */
export function defaultEngineSocket(): string {
  if (process.getuid?.() === 0) return '/run/podman/podman.sock';
  const runtime = process.env.XDG_RUNTIME_DIR ?? `/run/user/${process.getuid?.() ?? 1000}`;
  return `${runtime}/podman/podman.sock`;
}

/** The one-line hint image commands answer with when no engine answers. */
export function noEngineError(why: string): WaltError {
  return new WaltError(
    'no-image-engine',
    `no image engine: ${why} (install podman and run 'podman system service --time=0' as root, or set images.engine-socket in the server config to a Docker or Podman socket)`,
    503,
  );
}

const PING_TTL_MS = 3_000;

/**
 * A Docker or Podman API socket: dockerode for the Docker-compatible API, plus raw calls for the
 * few libpod endpoints WalT needs (container mount). Pings are cached a few seconds so every image
 * operation can check the engine without slowing down.
 */
export class EngineConnection {
  readonly docker: Docker;
  private lastPing = 0;
  private kindCache?: Promise<'podman' | 'docker'>;

  constructor(readonly socketPath: string) {
    this.docker = new Docker({ socketPath, timeout: 0 });
  }

  /** The engine, or the "what to install" error when it does not answer. */
  async ready(): Promise<Docker> {
    if (Date.now() - this.lastPing < PING_TTL_MS) return this.docker;
    try {
      await this.call('GET', '/_ping', undefined, 2_000);
    } catch (e) {
      throw noEngineError(`nothing answers on ${this.socketPath} (${(e as Error).message})`);
    }
    this.lastPing = Date.now();
    return this.docker;
  }

  /**
   * The "what to install" error for a call that failed because the engine went away since the last
   * ping (its socket gone or refusing), else undefined; the next call pings again.
   */
  gone(e: unknown): WaltError | undefined {
    const code = (e as NodeJS.ErrnoException)?.code;
    if (!code || !['ENOENT', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE'].includes(code)) return undefined;
    this.lastPing = 0;
    return noEngineError(`nothing answers on ${this.socketPath} (${(e as Error).message})`);
  }

  async answers(): Promise<boolean> {
    try {
      await this.ready();
      return true;
    } catch {
      return false;
    }
  }

  /** podman or docker (from /version). */
  kind(): Promise<'podman' | 'docker'> {
    this.kindCache ??= this.docker.version().then(
      (v) => ((v.Components ?? []).some((c) => /podman/i.test(c.Name)) ? 'podman' : 'docker'),
      (e: unknown) => {
        this.kindCache = undefined;
        throw e;
      },
    );
    return this.kindCache;
  }

  /** A raw API call; resolves with the body text, rejects with the engine's message on HTTP >= 400. */
  call(method: string, path: string, body?: string, timeoutMs = 120_000): Promise<string> {
    return new Promise((resolve, reject) => {
      const req = request({ socketPath: this.socketPath, path, method, headers: { host: 'engine', ...(body ? { 'content-type': 'application/json' } : {}) } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => {
          if ((res.statusCode ?? 500) < 400) return resolve(text);
          let message = text.trim();
          try {
            const j = JSON.parse(text) as { message?: string; cause?: string };
            message = j.message ?? j.cause ?? message;
          } catch {
            /* plain text */
          }
          reject(Object.assign(new Error(message || `HTTP ${res.statusCode}`), { statusCode: res.statusCode }));
        });
        res.on('error', reject);
      });
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer from ${this.socketPath} in ${timeoutMs / 1000} s`)));
      req.on('error', reject);
      req.end(body);
    });
  }
}
