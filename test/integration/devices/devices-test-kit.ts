import { mkdirSync, mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'vitest';
import { startServer, type RunResult, type ServerHandle } from '../../helpers/walt-processes.js';
import { authHeaders } from '../../helpers/api-token.js';

export const TEST_PLUGIN = resolve(import.meta.dirname, 'fixtures', 'walt-plugin-test-board');

/** A server with a folder image store (and optionally the test-board plugin), plus helpers. */
/** An image to put in the folder store: [fullname, models, preferredName?]. */
export type ImageFixture = [fullname: string, models: string[], preferredName?: string];

/** The default images the tests' nodes boot; present before the server starts, as on a set-up platform. */
export const DEFAULT_IMAGES: ImageFixture[] = [
  ['waltplatform/rpi-3-b-plus-default:latest', ['rpi-3-b-plus']],
  ['waltplatform/pc-x86-64-default:latest', ['pc-x86-64']],
  ['waltplatform/test-boards:latest', ['test-board'], 'boards'],
];

export async function startDevicesServer(options: { plugin?: boolean; images?: ImageFixture[] } = {}): Promise<DevicesServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'walt-devices-'));
  const imagesDir = join(dataDir, 'images');
  mkdirSync(imagesDir);
  for (const [fullname, models, preferredName] of options.images ?? DEFAULT_IMAGES) writeImageFolder(imagesDir, fullname, models, preferredName);
  const config =
    'network:\n  walt-net:\n    raw-device: null\n    ip: 192.168.152.1/24\napi:\n  port: 0\n' +
    `images:\n  directory: ${imagesDir}\n` +
    (options.plugin ? `plugins:\n  - ${TEST_PLUGIN}\n` : '');
  const server = await startServer({ config, dataDir });
  return new DevicesServer(server, imagesDir);
}

export interface DeviceJson {
  name: string;
  mac: string;
  ip: string | null;
  type: string;
  model: string | null;
  image: string | null;
  virtual: boolean;
  conf: Record<string, unknown>;
}

export class DevicesServer {
  constructor(
    readonly server: ServerHandle,
    readonly imagesDir: string,
  ) {}

  walt(args: readonly string[], user = 'alice'): Promise<RunResult> {
    return this.server.walt(args, { user });
  }

  /** Run a walt command that must succeed; returns its stdout. */
  async ok(args: readonly string[], user = 'alice'): Promise<string> {
    const r = await this.walt(args, user);
    expect(r.stderr, `walt ${args.join(' ')}`).toBe('');
    expect(r.code, `walt ${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r.stdout;
  }

  /**
   * Run acquire, boot or release, which must succeed although the nodes cannot be rebooted (no node
   * service answers for test nodes): stderr holds only the reboot failures and their hint. Returns stdout.
   */
  async okRebootFailing(args: readonly string[], user = 'alice'): Promise<string> {
    const r = await this.walt(args, user);
    expect(r.code, `walt ${args.join(' ')}: ${r.stderr}`).toBe(0);
    for (const line of r.stderr.trim().split('\n').filter(Boolean)) {
      expect(line, `walt ${args.join(' ')}`).toMatch(/^[\w-]+: failed soft-reboot \(.+\) and |^Note: the new image is recorded/);
    }
    return r.stdout;
  }

  /** Run a walt command that must fail with exactly one line on stderr; returns that line. */
  async fails(args: readonly string[], user = 'alice'): Promise<string> {
    const r = await this.walt(args, user);
    expect(r.code, `walt ${args.join(' ')} should fail; stdout=${r.stdout}`).not.toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines, `one error line for walt ${args.join(' ')}`).toHaveLength(1);
    return lines[0];
  }

  async api(method: string, path: string, body?: unknown, user = 'alice'): Promise<{ status: number; body: any }> {
    const res = await fetch(`http://${this.server.address}${path}`, {
      method,
      headers: { ...(await authHeaders(this.server.address, user)), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: await res.json() };
  }

  /** The registration entry point, as the DHCP service would call it. */
  async register(body: { mac: string; ip?: string | null; vendorClass?: string; userClass?: string; hostName?: string }) {
    const r = await this.api('POST', '/api/v1/devices/register', body);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body as { device: DeviceJson; created: boolean; converted: boolean; messages: string[] };
  }

  async devices(): Promise<DeviceJson[]> {
    return JSON.parse(await this.ok(['device', 'show', '--json'])) as DeviceJson[];
  }

  async device(name: string): Promise<DeviceJson | undefined> {
    return (await this.devices()).find((d) => d.name === name);
  }

  /** An unpacked image in the folder store: <dir>/<user>/<name>/<tag>/rootfs + image.json. */
  writeImage(fullname: string, models: string[], preferredName?: string): void {
    writeImageFolder(this.imagesDir, fullname, models, preferredName);
  }

  hasImage(fullname: string): boolean {
    const [user, rest] = fullname.split('/');
    const [name, tag = 'latest'] = rest.split(':');
    return existsSync(join(this.imagesDir, user, name, tag, 'rootfs'));
  }

  /** The server's store, read-only (WAL lets us read while it runs). */
  private db<T>(fn: (db: Database.Database) => T, readonly = true): T {
    const db = new Database(join(this.server.dataDir, 'walt.db'), { readonly, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    try {
      return fn(db);
    } finally {
      db.close();
    }
  }

  /** Lines the server stored on a platform stream (issuer walt-server). */
  platformLines(stream: string): string[] {
    return this.db((db) =>
      (
        db
          .prepare(
            `SELECT l.line FROM logs l JOIN logstreams s ON s.id = l.stream_id
             JOIN devices d ON d.mac = s.issuer_mac WHERE d.type = 'server' AND s.name = ? ORDER BY l.ts, l.rowid`,
          )
          .all(stream) as { line: string }[]
      ).map((r) => r.line),
    );
  }

  /** Log lines issued by a device (any stream). */
  countLines(mac: string): number {
    return this.db(
      (db) => (db.prepare('SELECT count(*) AS n FROM logs WHERE stream_id IN (SELECT id FROM logstreams WHERE issuer_mac = ?)').get(mac) as { n: number }).n,
    );
  }

  /** Store lines as if the device had sent them (same tables as the log ingestion). */
  insertLines(mac: string, stream: string, lines: string[]): void {
    this.db((db) => {
      db.transaction(() => {
        const found = db.prepare('SELECT id FROM logstreams WHERE issuer_mac = ? AND name = ?').get(mac, stream) as { id: number } | undefined;
        const id = found ? found.id : Number(db.prepare('INSERT INTO logstreams (issuer_mac, name) VALUES (?, ?)').run(mac, stream).lastInsertRowid);
        const ins = db.prepare('INSERT INTO logs (stream_id, ts, line) VALUES (?, ?, ?)');
        for (const line of lines) ins.run(id, Date.now() * 1000, line);
      })();
    }, false);
  }

  stop(): Promise<void> {
    return this.server.stop({ cleanup: true });
  }
}

function writeImageFolder(dir: string, fullname: string, models: string[], preferredName?: string): void {
  const [user, rest] = fullname.split('/');
  const [name, tag = 'latest'] = rest.split(':');
  const folder = join(dir, user, name, tag);
  mkdirSync(join(folder, 'rootfs', 'boot'), { recursive: true });
  writeFileSync(join(folder, 'image.json'), JSON.stringify({ models, created: Date.now() / 1000, ...(preferredName ? { preferredName } : {}) }));
}
