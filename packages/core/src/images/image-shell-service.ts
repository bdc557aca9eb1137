import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { FrameType, type Frame, type SessionChannel } from '@walt/session-protocol';
import type { DeviceRegistry } from '../devices/device-registry.js';
import { NODE_LABEL, formatSentence } from '../devices/format-sentence.js';
import { WaltError, conflict, notFound } from '../errors.js';
import type { LogService } from '../logs/log-service.js';
import { displayImageName, workingSetImage } from '../nodes/working-set-image.js';
import type { ImageWorkResult, ReplacedImageReboot } from './image-build-service.js';
import type { ImageStore, ShellContainer, WaltImage } from './image-store.js';
import { UnavailableImageStore } from './unavailable-image-store.js';

/** How long a shell session waits for its attach, and then for its save or discard. */
const UNATTENDED_MS = 15 * 60_000;

interface ShellSession {
  id: string;
  user: string;
  fullname: string;
  container: ShellContainer;
  state: 'created' | 'running' | 'exited' | 'saving';
  expiry?: NodeJS.Timeout;
}

export type SaveAnswer = { status: 'needs-confirm' | 'name-not-ok'; message: string } | ({ status: 'saved' } & ImageWorkResult);

/**
 * `walt image shell`: a shell in a container of the user's image on the server's engine, relayed
 * over a session (docs/decisions/0019), then, as the original asks, saved under the same name (the
 * nodes booting it reboot onto the new version), under another name, or discarded. The image
 * changes only through the commit, once it is whole and bootable.
 */
export class ImageShellService {
  private readonly sessions = new Map<string, ShellSession>();

  constructor(
    private readonly store: ImageStore,
    private readonly devices: DeviceRegistry,
    private readonly logs: LogService,
    private readonly rebootReplaced: ReplacedImageReboot,
  ) {}

  private session(user: string, id: string): ShellSession {
    const s = this.sessions.get(id);
    if (!s || s.user !== user) throw notFound('no such image shell session (it ended, or was discarded after 15 minutes unattended)');
    return s;
  }

  private expireIn(s: ShellSession, ms: number): void {
    clearTimeout(s.expiry);
    s.expiry = setTimeout(() => {
      this.logs.platform('images', `image shell session on ${s.fullname} discarded (unattended)`);
      void this.drop(s);
    }, ms);
    s.expiry.unref();
  }

  private async drop(s: ShellSession): Promise<void> {
    clearTimeout(s.expiry);
    this.sessions.delete(s.id);
    await s.container.remove();
  }

  /** A container of the image, not started yet: the client attaches to it next. */
  async create(user: string, name: string, term?: string): Promise<{ id: string; image: string; defaultName: string }> {
    if (this.store instanceof UnavailableImageStore) throw this.store.error();
    if (!this.store.shellContainer) throw new WaltError('unsupported', 'walt image shell needs an image engine (images.engine-socket), not an image folder', 501);
    const fullname = workingSetImage(user, name);
    if (!(await this.store.get(fullname))) throw notFound(`No image named '${name}' in your working set (see 'walt image show').`);
    if ([...this.sessions.values()].some((s) => s.fullname === fullname)) throw conflict(`Cannot open image ${name}: a shell session on it is already running.`);
    const container = await this.store.shellContainer(fullname, { term });
    const s: ShellSession = { id: randomBytes(12).toString('hex'), user, fullname, container, state: 'created' };
    this.sessions.set(s.id, s);
    this.expireIn(s, UNATTENDED_MS);
    this.logs.platform('images', `image shell session on ${fullname} opened by ${user}`);
    return { id: s.id, image: displayImageName(fullname), defaultName: displayImageName(fullname) };
  }

  /** The session's runner: the shell's terminal relayed both ways until it exits (its status is the exit frame). */
  attach(user: string, id: string, size: { cols?: number; rows?: number }): (channel: SessionChannel) => Promise<void> {
    const s = this.session(user, id);
    if (s.state !== 'created') throw conflict('this shell session already ran (save or discard it)');
    s.state = 'running';
    clearTimeout(s.expiry);
    return async (channel) => {
      let stream: Duplex;
      try {
        stream = await s.container.start();
      } catch (e) {
        await this.drop(s);
        throw e;
      }
      if (size.cols && size.rows) await s.container.resize(size.cols, size.rows);
      stream.on('data', (chunk: Buffer) => {
        if (!channel.send(FrameType.stdout, chunk)) {
          stream.pause();
          channel.once('drain', () => stream.resume());
        }
      });
      stream.on('error', () => undefined);
      channel.on('frame', (frame: Frame) => {
        if (frame.type === FrameType.stdin) {
          if (!stream.write(frame.payload)) {
            channel.pause();
            stream.once('drain', () => channel.resume());
          }
        } else if (frame.type === FrameType.resize) {
          try {
            const { cols, rows } = JSON.parse(frame.payload.toString('utf8')) as { cols: number; rows: number };
            void s.container.resize(cols, rows);
          } catch {
            /* a bad resize frame is ignored */
          }
        } else if (frame.type === FrameType.signal) void s.container.signal(frame.payload.toString('utf8'));
      });
      // A client gone before the shell ended: the session is over, nothing is saved.
      const lost = channel.whenClosed.then(() => 'lost' as const);
      const outcome = await Promise.race([s.container.wait(), lost]);
      stream.destroy();
      if (outcome === 'lost') {
        this.logs.platform('images', `image shell session on ${s.fullname}: client disconnected, changes discarded`);
        await this.drop(s);
        return;
      }
      s.state = 'exited';
      this.expireIn(s, UNATTENDED_MS);
      channel.exit({ status: outcome });
    };
  }

  /** The original's save step: same name (confirm, then overwrite and reboot its nodes) or a new name. */
  async save(user: string, id: string, name: string, confirmed: boolean): Promise<SaveAnswer> {
    const s = this.session(user, id);
    if (s.state === 'created' || s.state === 'running') throw conflict('the shell is still running: exit it first');
    if (s.state === 'saving') throw conflict('this shell session is being saved already');
    let target: string;
    try {
      target = workingSetImage(user, name);
    } catch (e) {
      if (e instanceof WaltError) return { status: 'name-not-ok', message: e.message };
      throw e;
    }
    const same = target === s.fullname;
    if (same && !confirmed) {
      const nodes = this.devices.all().filter((d) => d.type === 'node' && d.image === target).map((d) => d.name);
      const reboot = nodes.length ? ` (and ${formatSentence('reboot %s', nodes, NODE_LABEL)})` : '';
      return { status: 'needs-confirm', message: `This would overwrite image ${name}${reboot}.` };
    }
    if (!same && (await this.store.get(target))) return { status: 'name-not-ok', message: `Bad name: image ${name} already exists in your working set.` };
    s.state = 'saving';
    clearTimeout(s.expiry);
    let img: WaltImage;
    try {
      img = await s.container.commit(target, async (made) => {
        const problems = made.problems ?? [];
        if (!made.models.length) throw new WaltError('not-bootable', 'the image lost its walt.node.models label: changes were not saved', 422);
        if (made.models.every((m) => problems.includes(`no /boot/${m}/`))) {
          throw new WaltError('not-bootable', `the image cannot boot any of its models any more (${problems.join(', ')}): changes were not saved`, 422);
        }
      });
    } catch (e) {
      await this.drop(s);
      throw e;
    }
    await this.drop(s);
    this.logs.platform('images', `image shell session on ${s.fullname} saved as ${img.fullname}`);
    const result: SaveAnswer = { status: 'saved', messages: [same ? `Image ${displayImageName(target)} updated.` : `New image ${displayImageName(target)} saved.`] };
    if (same) {
      const reboot = await this.rebootReplaced(target);
      result.messages.push(...reboot.messages);
      if (reboot.reboot) result.reboot = reboot.reboot;
    }
    return result;
  }

  async discard(user: string, id: string): Promise<void> {
    const s = this.session(user, id);
    if (s.state === 'saving') throw conflict('this shell session is being saved already');
    this.logs.platform('images', `image shell session on ${s.fullname} discarded by ${user}`);
    await this.drop(s);
  }

  /** Server stop: every container of a session goes. */
  async close(): Promise<void> {
    await Promise.all([...this.sessions.values()].map((s) => this.drop(s)));
  }
}
