import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import type { Duplex } from 'node:stream';
import type Docker from 'dockerode';
import { WaltError } from '../errors.js';
import type { EngineConnection } from './engine-connection.js';
import type { ShellContainer, WaltImage } from './image-store.js';

/** bash when the image has it, else sh (the original's choice), in /root (a cd: a WORKDIR would stay in the saved image). */
const SHELL = 'cd /root 2>/dev/null; if [ -x /bin/bash ]; then exec /bin/bash; else exec /bin/sh; fi';

type Adopt = (temp: string, target: string, accept: (img: WaltImage) => Promise<void>) => Promise<WaltImage>;

/**
 * The container of `walt image shell` on a Docker or Podman engine: a terminal (Tty) container of the
 * image running a shell, attached through the engine's hijacked attach stream; saved by a commit to a
 * temporary name that takes the image's name only once checked.
 */
export class EngineShellContainer implements ShellContainer {
  private constructor(
    private readonly engine: EngineConnection,
    private readonly container: Docker.Container,
    private readonly config: { cmd: string[] | null; entrypoint: string[] | string | null },
    private readonly adopt: Adopt,
  ) {}

  get id(): string {
    return this.container.id;
  }

  static async create(engine: EngineConnection, docker: Docker, img: WaltImage, options: { name: string; term?: string }, adopt: Adopt): Promise<EngineShellContainer> {
    const info = await docker.getImage(img.id).inspect();
    const term = options.term && /^[\w.+-]{1,64}$/.test(options.term) ? options.term : 'xterm';
    const container = await docker.createContainer({
      name: options.name,
      Image: img.id,
      Entrypoint: ['/bin/sh', '-c'],
      Cmd: [SHELL],
      Tty: true,
      OpenStdin: true,
      StdinOnce: false,
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
      Hostname: 'image-shell',
      Env: [`TERM=${term}`],
      // No labels of its own: the commit would put them into the user's image.
    });
    return new EngineShellContainer(engine, container, { cmd: info.Config?.Cmd ?? null, entrypoint: (info.Config?.Entrypoint as string[] | string | null) ?? null }, adopt);
  }

  /**
   * The engine's attach, hijacked (HTTP Upgrade: tcp) with its options in the query string: dockerode
   * sends them as a JSON body, which Podman then types into the shell.
   */
  private attach(): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      const req = request({
        socketPath: this.engine.socketPath,
        path: `/containers/${this.container.id}/attach?stream=1&stdin=1&stdout=1&stderr=1`,
        method: 'POST',
        headers: { host: 'engine', connection: 'Upgrade', upgrade: 'tcp' },
      });
      req.on('upgrade', (_res, socket: Duplex, head: Buffer) => {
        if (head.length) socket.unshift(head);
        resolve(socket);
      });
      req.on('response', (res) => reject(new WaltError('shell-failed', `cannot attach to the shell container (engine answered HTTP ${res.statusCode})`, 502)));
      req.on('error', reject);
      req.end();
    });
  }

  async start(): Promise<Duplex> {
    const stream = await this.attach();
    try {
      await this.container.start();
    } catch (e) {
      stream.destroy();
      throw new WaltError('shell-failed', `cannot start a shell in the image: ${(e as Error).message}`, 502);
    }
    return stream;
  }

  async resize(cols: number, rows: number): Promise<void> {
    if (!(cols > 0 && rows > 0 && cols < 10_000 && rows < 10_000)) return;
    await this.container.resize({ w: Math.floor(cols), h: Math.floor(rows) }).catch(() => undefined);
  }

  async signal(name: string): Promise<void> {
    if (!/^[A-Z0-9]{1,10}$/.test(name)) return;
    await this.container.kill({ signal: `SIG${name}` }).catch(() => undefined);
  }

  async wait(): Promise<number> {
    const r = (await this.container.wait()) as { StatusCode?: number };
    return r.StatusCode ?? 0;
  }

  async commit(target: string, accept: (img: WaltImage) => Promise<void>): Promise<WaltImage> {
    const temp = `walt-shell/s${randomBytes(6).toString('hex')}`;
    const q = new URLSearchParams({ container: this.container.id, repo: `localhost/${temp}`, tag: 'latest', pause: 'false' });
    // The shell's command was the session's: the image keeps its own.
    q.append('changes', `CMD ${JSON.stringify(this.config.cmd ?? [])}`);
    const ep = this.config.entrypoint;
    q.append('changes', `ENTRYPOINT ${JSON.stringify(ep === null ? [] : Array.isArray(ep) ? ep : [ep])}`);
    const path = (await this.engine.kind()) === 'podman' ? `/v4.0.0/libpod/commit?${q.toString()}` : `/commit?${q.toString()}`;
    try {
      await this.engine.call('POST', path, undefined, 30 * 60_000);
    } catch (e) {
      throw new WaltError('commit-failed', `cannot save the shell session: ${(e as Error).message}`, 502);
    }
    return this.adopt(`${temp}:latest`, target, accept);
  }

  async remove(): Promise<void> {
    await this.container.remove({ force: true }).catch(() => undefined);
  }
}
