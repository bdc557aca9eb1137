import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { DeviceRegistry } from '../../devices/device-registry.js';
import type { ImageStore, ImageView } from '../../images/image-store.js';
import type { LogService } from '../../logs/log-service.js';
import { renderGaneshaExports } from './ganesha-exports.js';
import { renderKernelExports } from './kernel-exports.js';
import type { NfsConfig } from './nfs-config.js';
import { planExports, type ExportedNode, type PreviousNodeRoot } from './nfs-export-plan.js';
import { syncNodeTree } from './node-tree.js';

export interface NfsExportsDeps {
  devices: Pick<DeviceRegistry, 'all'>;
  /** `get` (when there) tells an image replaced under the same name (image shell, build): its export follows. */
  images: Pick<ImageStore, 'acquireView'> & Partial<Pick<ImageStore, 'get'>>;
  logs: Pick<LogService, 'platform'>;
  /** Runs a reload command (exportfs); replaceable in unit tests. */
  run?: (cmd: string, args: string[]) => Promise<void>;
}

const defaultRun = (cmd: string, args: string[]) =>
  new Promise<void>((resolve, reject) =>
    execFile(cmd, args, { timeout: 30_000 }, (e, _out, err) => (e ? reject(new Error(`${cmd} ${args.join(' ')}: ${err.trim() || e.message}`)) : resolve())),
  );

export interface NfsExportsOptions {
  /**
   * How long a node given another image still finds its former root exported (ms): it runs on it
   * until it reboots, and its reboot itself is read from it. The image view grace (images.view-grace).
   */
  exportGraceMs: number;
}

/** A node's root as exported now: the view key it holds. */
interface NodeRoot {
  image: string;
  imageRoot: string;
  key: string;
}

/**
 * Keeps the NFS exports in line with the platform: node images read-only, persist folders
 * read-write, the per-node tree. Checks the registry periodically; when nodes or their images
 * changed, rewrites the tree and the export files (only if their content changed) and reloads the
 * server: `exportfs -r -f` for the kernel server, SIGHUP for nfs-ganesha. A node given another
 * image keeps its former root exported (and its view held) for the export grace: the node's path
 * shows the new image at once, for its next boot.
 */
export class NfsExportsService {
  /** Held views by `<image>@<id>`. */
  private readonly views = new Map<string, ImageView>();
  private signature = '';
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<boolean> | undefined;
  /** Each node's root in the last exports written, by MAC. */
  private roots = new Map<string, NodeRoot>();
  /** Former roots of nodes, exported until their grace ends. */
  private previous: Array<PreviousNodeRoot & { key: string }> = [];

  constructor(
    private readonly deps: NfsExportsDeps,
    private readonly config: NfsConfig,
    private readonly dataDir: string,
    private readonly subnet: string,
    private readonly options: NfsExportsOptions = { exportGraceMs: 60_000 },
  ) {}

  start(): Promise<boolean> {
    this.timer = setInterval(() => void this.update().catch((e) => this.deps.logs.platform('nfs', `update failed: ${(e as Error).message}`, { error: true })), this.config.checkIntervalMs);
    this.timer.unref();
    return this.update();
  }

  private readonly stopHooks: (() => void)[] = [];

  /** Run `fn` at stop (the ganesha the server started). */
  onStop(fn: () => void): void {
    this.stopHooks.push(fn);
  }

  stop(): void {
    for (const fn of this.stopHooks.splice(0)) fn();
    clearInterval(this.timer);
    for (const v of this.views.values()) v.release();
    this.views.clear();
  }

  /** Bring exports up to date; true when something was rewritten. Calls never overlap. */
  update(): Promise<boolean> {
    this.running ??= this.doUpdate().finally(() => (this.running = undefined));
    return this.running;
  }

  private async doUpdate(): Promise<boolean> {
    const nodes = this.deps.devices.all().filter((d) => d.type === 'node' && d.model && d.image);
    // An image saved again under the same name is another image: views are per name and id.
    const ids = new Map<string, string>();
    for (const image of new Set(nodes.map((d) => d.image!))) ids.set(image, (await this.deps.images.get?.(image).catch(() => undefined))?.id ?? '');
    const key = (image: string) => `${image}@${ids.get(image) ?? ''}`;
    const signature = JSON.stringify(nodes.map((d) => [d.mac, d.ip, d.name, d.model, key(d.image!), d.conf['mount.persist']]));
    const now = Date.now();
    const expired = this.previous.some((p) => p.until <= now);
    if (signature === this.signature && !expired) return false;
    const exported: ExportedNode[] = [];
    const roots = new Map<string, NodeRoot>();
    for (const d of nodes) {
      const view = await this.view(d.image!, key(d.image!));
      if (!view) continue;
      roots.set(d.mac, { image: d.image!, imageRoot: view.root, key: key(d.image!) });
      exported.push({ mac: d.mac, ip: d.ip, name: d.name, model: d.model!, image: d.image!, imageRoot: view.root, persist: d.conf['mount.persist'] !== false });
    }
    // Nodes that left a root keep it for the grace; a node back on its former root takes it back.
    for (const [mac, was] of this.roots) {
      if (roots.get(mac)?.imageRoot !== was.imageRoot) this.previous.push({ mac, image: was.image, imageRoot: was.imageRoot, key: was.key, until: now + this.options.exportGraceMs });
    }
    this.previous = this.previous.filter((p) => p.until > now && roots.get(p.mac)?.imageRoot !== p.imageRoot);
    const used = new Set([...[...roots.values()].map((r) => r.key), ...this.previous.map((p) => p.key)]);
    await syncNodeTree(this.dataDir, exported);
    const plan = planExports(this.dataDir, exported, this.previous);
    const changed = this.config.server === 'ganesha' ? await this.writeGanesha(renderGaneshaExports(this.subnet, plan)) : await this.writeKernel(renderKernelExports(this.subnet, plan));
    for (const [image, view] of this.views) {
      if (!used.has(image)) {
        view.release();
        this.views.delete(image);
      }
    }
    this.roots = roots;
    this.signature = signature;
    return changed;
  }

  private async view(image: string, key: string): Promise<ImageView | undefined> {
    const held = this.views.get(key);
    if (held) return held;
    try {
      const view = await this.deps.images.acquireView(image);
      this.views.set(key, view);
      return view;
    } catch (e) {
      this.deps.logs.platform('nfs', `image ${image} cannot be exported: ${(e as Error).message}`, { error: true });
      return undefined;
    }
  }

  private async writeKernel(files: Record<string, string>): Promise<boolean> {
    if (this.config.server !== 'kernel') return false;
    let changed = false;
    for (const [name, content] of Object.entries(files)) changed = writeIfChanged(join(this.config.exportsDir, name), content) || changed;
    if (!changed) return false;
    try {
      await (this.deps.run ?? defaultRun)('exportfs', ['-r', '-f']);
      this.deps.logs.platform('nfs', `exports updated (${this.config.exportsDir}), exportfs -r done`);
    } catch (e) {
      const missing = /\bENOENT\b/.test((e as Error).message) ? ' (exportfs is not installed: install nfs-kernel-server, or set services.nfs.server to ganesha or none)' : '';
      this.deps.logs.platform('nfs', `Warning: exportfs failed! ${(e as Error).message}${missing}`, { error: true });
    }
    return true;
  }

  private async writeGanesha(content: string): Promise<boolean> {
    if (!writeIfChanged(this.config.ganeshaExportsFile, content)) return false;
    let pid: number | undefined;
    try {
      pid = Number(readFileSync(this.config.ganeshaPidFile, 'utf8').trim());
    } catch {
      /* not running */
    }
    if (pid && Number.isInteger(pid) && pid > 1) {
      try {
        process.kill(pid, 'SIGHUP');
        this.deps.logs.platform('nfs', `exports updated (${this.config.ganeshaExportsFile}), nfs-ganesha (pid ${pid}) reloading`);
      } catch (e) {
        this.deps.logs.platform('nfs', `cannot signal nfs-ganesha (pid ${pid}): ${(e as Error).message}`, { error: true });
      }
    } else {
      this.deps.logs.platform('nfs', `exports updated (${this.config.ganeshaExportsFile}); nfs-ganesha is not running (no pid in ${this.config.ganeshaPidFile})`);
    }
    return true;
  }
}

function writeIfChanged(file: string, content: string): boolean {
  try {
    if (readFileSync(file, 'utf8') === content) return false;
  } catch {
    /* absent */
  }
  mkdirSync(dirname(file), { recursive: true });
  // Atomic replace: the NFS server never reads half a file.
  writeFileSync(`${file}.tmp`, content);
  renameSync(`${file}.tmp`, file);
  return true;
}
