import { mkdirSync } from 'node:fs';
import type { BootProtocol, TftpRequestContext, TftpResolution } from '@walt/sdk';
import type { DeviceRegistry } from '../../devices/device-registry.js';
import type { ImageStore, ImageView } from '../../images/image-store.js';
import type { LogService } from '../../logs/log-service.js';
import type { ExtensionRegistry } from '../../plugins/extension-registry.js';
import { BufferBlockSource, FileBlockSource, toNetascii, type BlockSource } from './block-source.js';
import { LogRateLimiter } from './log-rate-limiter.js';
import type { TransferOutcome } from './read-transfer.js';
import { openInRoot, PathEscapeError, PathNotFoundError } from './root-path.js';
import { TFTP_ERROR } from './tftp-packets.js';
import { TftpServer, type TftpAnswer, type TftpClient, type TftpReadRequest } from './tftp-server.js';
import type { TftpLimits } from './tftp-options.js';
import type { TransferSettings } from './transfer-pool.js';

export interface TftpServiceDeps {
  devices: Pick<DeviceRegistry, 'byIp'>;
  images: Pick<ImageStore, 'acquireView'>;
  extensions: Pick<ExtensionRegistry, 'bootProtocols' | 'bootProtocol' | 'nodeModel'>;
  logs: Pick<LogService, 'platform'>;
}

export interface TftpServiceOptions {
  /** Address to listen on (the server's walt-net address). */
  host: string;
  port: number;
  /** The server's walt-net address, as protocols see it. */
  serverIp: string;
  /** `<data dir>/tftp-static`. */
  staticDir: string;
  limits?: Partial<TftpLimits>;
  /** Where transfers run (native sender or worker threads). */
  transfers?: TransferSettings;
}

/** Netascii is converted in memory; boot files are sent in octet mode anyway. */
const MAX_NETASCII_BYTES = 64 << 20;

/**
 * TFTP on walt-net: names are resolved per client IP (device registry → node → its image) by the
 * boot protocols, and core does the file access, confined to the image or static root the
 * protocol named. Refusals, missing files and finished transfers go to the platform log (tftp).
 */
export class TftpService {
  private readonly server: TftpServer;
  private readonly limiter = new LogRateLimiter(50);

  constructor(
    private readonly deps: TftpServiceDeps,
    private readonly options: TftpServiceOptions,
  ) {
    this.server = new TftpServer(
      { host: options.host, port: options.port, limits: options.limits, transfers: options.transfers, events: this.events() },
      (req) => this.resolve(req),
    );
  }

  /** Listen; resolves with the port. */
  async start(): Promise<number> {
    mkdirSync(this.options.staticDir, { recursive: true });
    return this.server.listen();
  }

  /** Where transfers run, for the start-up log line. */
  describeTransfers(): string {
    return this.server.describeTransfers();
  }

  private readonly stopHooks: (() => Promise<void>)[] = [];

  /** Also stop `fn` (the HTTP side serving the same files). */
  onStop(fn: () => Promise<void>): void {
    this.stopHooks.push(fn);
  }

  async stop(): Promise<void> {
    await Promise.all(this.stopHooks.splice(0).map((fn) => fn().catch(() => undefined)));
    return this.server.close();
  }

  private log(line: string, error = false): void {
    this.limiter.run(
      () => this.deps.logs.platform('tftp', line, { error }),
      (dropped) => this.deps.logs.platform('tftp', `${dropped} more tftp lines were not logged (too many per second)`),
    );
  }

  private who(ip: string): string {
    const d = this.deps.devices.byIp(ip);
    if (!d) return ip;
    return d.type === 'node' && d.model ? `${d.name} (${d.model}, ${ip})` : `${d.name} (${ip})`;
  }

  private events() {
    return {
      refused: (client: TftpClient, file: string, reason: string) =>
        this.log(`refused '${file}' requested by ${this.who(client.address)}: ${reason}`, true),
      notFound: (client: TftpClient, name: string) => this.log(`${this.who(client.address)} asked for ${name}: file not found`),
      transferEnded: (client: TftpClient, name: string, outcome: TransferOutcome, label?: string) => {
        if (outcome.status === 'sent') {
          const opts = `blksize ${outcome.blockSize}${outcome.windowSize > 1 ? `, windowsize ${outcome.windowSize}` : ''}`;
          this.log(`${this.who(client.address)} fetched ${name}${label ? ` (${label})` : ''}: ${outcome.bytes} bytes, ${opts}`);
        } else if (outcome.status === 'failed') {
          this.log(`sending ${name} to ${this.who(client.address)} failed: ${outcome.reason}`, true);
        }
      },
      internalError: (e: unknown) => this.log(`internal error: ${(e as Error)?.stack ?? e}`, true),
    };
  }

  /** The context protocols decide on, for a client address and a checked name. */
  requestContext(clientIp: string, name: string): TftpRequestContext {
    const d = this.deps.devices.byIp(clientIp);
    const node = d && d.type === 'node' && d.model && d.image ? { mac: d.mac, name: d.name, model: d.model, image: d.image } : undefined;
    const device = d && !node ? { mac: d.mac, name: d.name, type: d.type } : undefined;
    return { clientIp, name, node, device, serverIp: this.options.serverIp, staticDir: this.options.staticDir };
  }

  /** Ask the node model's own boot protocol first, then every protocol in claim order. */
  resolveName(ctx: TftpRequestContext): { resolution?: TftpResolution; protocol?: string } {
    const protocols = this.deps.extensions.bootProtocols();
    const ownId = ctx.node ? this.deps.extensions.nodeModel(ctx.node.model)?.bootProtocol : undefined;
    const own = ownId ? this.deps.extensions.bootProtocol(ownId) : undefined;
    const ordered: BootProtocol[] = own ? [own, ...protocols.filter((p) => p !== own)] : protocols;
    for (const p of ordered) {
      if (!p.resolveTftp) continue;
      try {
        const r = p.resolveTftp(ctx);
        if (r) return { resolution: r, protocol: p.id };
      } catch (e) {
        this.log(`boot protocol ${p.id} failed to resolve ${ctx.name}: ${(e as Error)?.message ?? e}`, true);
      }
    }
    return {};
  }

  async resolve(req: TftpReadRequest): Promise<TftpAnswer> {
    const ctx = this.requestContext(req.client.address, req.name);
    const { resolution } = this.resolveName(ctx);
    const notFound: TftpAnswer = { kind: 'error', code: TFTP_ERROR.notFound, message: 'File not found' };
    if (!resolution || resolution.kind === 'not-found') return notFound;
    let source: BlockSource;
    let label: string | undefined;
    try {
      if (resolution.kind === 'generated') {
        source = new BufferBlockSource(Buffer.from(resolution.content));
        label = 'generated';
      } else if (resolution.kind === 'static') {
        const f = await openInRoot(resolution.root, resolution.path, 'host');
        source = new FileBlockSource(f.handle, f.size);
      } else {
        if (!ctx.node) return notFound;
        let view: ImageView;
        try {
          view = await this.deps.images.acquireView(ctx.node.image);
        } catch (e) {
          this.log(`cannot serve ${req.name} to ${ctx.node.name}: image ${ctx.node.image} unavailable (${(e as Error).message})`, true);
          return notFound;
        }
        try {
          const f = await openInRoot(view.root, resolution.path, 'root');
          source = releasing(new FileBlockSource(f.handle, f.size), view);
          label = `${ctx.node.image}:/${resolution.path}`;
        } catch (e) {
          view.release();
          throw e;
        }
      }
    } catch (e) {
      if (e instanceof PathEscapeError) return { kind: 'error', code: TFTP_ERROR.accessViolation, message: 'Access violation', refused: e.message };
      if (e instanceof PathNotFoundError) return notFound;
      throw e;
    }
    if (req.mode === 'netascii') source = await netascii(source);
    return { kind: 'data', source, label };
  }
}

/** Give the image view back when the transfer is over. */
function releasing(source: BlockSource, view: ImageView): BlockSource {
  const close = source.close.bind(source);
  let released = false;
  source.close = () => {
    close();
    if (!released) {
      released = true;
      view.release();
    }
  };
  return source;
}

async function netascii(source: BlockSource): Promise<BlockSource> {
  try {
    if (source.size > MAX_NETASCII_BYTES) throw new Error('file too large for netascii mode');
    return new BufferBlockSource(toNetascii(await source.readAll()));
  } finally {
    source.close();
  }
}
