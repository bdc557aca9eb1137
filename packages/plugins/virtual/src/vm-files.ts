import { randomBytes } from 'node:crypto';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, truncateSync, writeFileSync, closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { DiskSpec } from './vm-settings.js';

const run = promisify(execFile);

/** A random locally administered MAC in qemu's range, as the original draws them. */
export function randomQemuMac(bytes: () => Buffer = () => randomBytes(3)): string {
  return `52:54:00:${[...bytes()].map((b) => b.toString(16).padStart(2, '0')).join(':')}`;
}

/**
 * What a virtual node keeps between VM starts, under the plugin's data dir, one folder per MAC:
 * `disks/disk_<i>.dd` (sparse, recreated when its size or template changes, with `disk_<i>.info`)
 * and `networks/<net>.mac` (a persistent MAC per extra network).
 */
export class VmFiles {
  constructor(private readonly dataDir: string) {}

  private dir(mac: string, sub: string): string {
    const d = join(this.dataDir, mac.replace(/:/g, ''), sub);
    mkdirSync(d, { recursive: true });
    return d;
  }

  async disks(mac: string, disks: readonly DiskSpec[], event: (line: string) => void): Promise<string[]> {
    const dir = this.dir(mac, 'disks');
    const files: string[] = [];
    for (const [i, disk] of disks.entries()) {
      const file = join(dir, `disk_${i}.dd`);
      const infoFile = join(dir, `disk_${i}.info`);
      const info = JSON.stringify({ template: disk.template, bytes: disk.bytes });
      const current = existsSync(infoFile) ? readFileSync(infoFile, 'utf8') : '';
      if (!existsSync(file) || current !== info) {
        rmSync(file, { force: true });
        closeSync(openSync(file, 'w'));
        truncateSync(file, disk.bytes); // sparse: no block is written
        await this.format(file, disk, event);
        writeFileSync(infoFile, info);
      }
      files.push(file);
    }
    return files;
  }

  /** One partition from sector 2048, formatted per template (ext4 here; other templates stay blank). */
  private async format(file: string, disk: DiskSpec, event: (line: string) => void): Promise<void> {
    if (disk.template === 'none') return;
    if (disk.template !== 'ext4') {
      event(`disk template ${disk.template} is not supported by this server yet: ${file} is left blank`);
      return;
    }
    try {
      await new Promise<void>((resolve, reject) => {
        const p = spawn('sfdisk', ['--quiet', file], { stdio: ['pipe', 'ignore', 'ignore'] });
        p.on('error', reject);
        p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`sfdisk exited with ${code}`))));
        p.stdin.end('label: dos\nstart=2048, type=83\n');
      });
      const partBytes = disk.bytes - 2048 * 512;
      await run('mkfs.ext4', ['-q', '-F', '-E', `offset=${2048 * 512}`, file, `${Math.floor(partBytes / 1024)}k`], { timeout: 120_000 });
    } catch (e) {
      event(`cannot format ${file} as ext4 (${(e as Error).message.split('\n')[0]}): it is left blank`);
    }
  }

  networkMacs(mac: string, networks: readonly string[]): Record<string, string> {
    if (!networks.length) return {};
    const dir = this.dir(mac, 'networks');
    const out: Record<string, string> = {};
    for (const net of networks) {
      const file = join(dir, `${net}.mac`);
      if (!existsSync(file)) writeFileSync(file, randomQemuMac());
      out[net] = readFileSync(file, 'utf8').trim();
    }
    return out;
  }

  /** Forget a node's files (node removed). */
  remove(mac: string): void {
    rmSync(join(this.dataDir, mac.replace(/:/g, '')), { recursive: true, force: true });
  }
}
