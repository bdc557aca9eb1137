import { lstatSync, mkdtempSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ExportedNode } from './nfs-export-plan.js';
import { syncNodeTree } from './node-tree.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function nodes(n: number): ExportedNode[] {
  return Array.from({ length: n }, (_, i) => {
    const hex = i.toString(16).padStart(6, '0');
    const mac = `02:00:00:${hex.slice(0, 2)}:${hex.slice(2, 4)}:${hex.slice(4)}`;
    return { mac, ip: `192.168.${100 + (i >> 8)}.${i & 255}`, name: `node-${hex}`, model: 'rpi-3-b-plus', image: 'alice/img:latest', imageRoot: '/images/alice-img', persist: true };
  });
}

describe('syncNodeTree', () => {
  it('builds the tree without holding the event loop: other work (DHCP) runs between its file-system calls', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'walt-node-tree-'));
    dirs.push(dataDir);
    let turns = 0;
    let syncing = true;
    const tick = () => {
      turns++;
      if (syncing) setImmediate(tick);
    };
    setImmediate(tick);
    await syncNodeTree(dataDir, nodes(200));
    syncing = false;
    // Synchronous file-system calls (before) let no turn of the event loop run until the end.
    expect(turns).toBeGreaterThan(10);
    const root = join(dataDir, 'nodes');
    expect(readlinkSync(join(root, 'node-0000c7'))).toBe('02:00:00:00:00:c7');
    expect(readlinkSync(join(root, '192.168.100.199'))).toBe('02:00:00:00:00:c7');
    expect(readlinkSync(join(root, '02-00-00-00-00-c7'))).toBe('02:00:00:00:00:c7');
    expect(readlinkSync(join(root, '02:00:00:00:00:c7', 'fs'))).toBe('/images/alice-img');
    expect(readlinkSync(join(root, '02:00:00:00:00:c7', 'tftp'))).toBe('/images/alice-img/boot/rpi-3-b-plus');
    expect(readlinkSync(join(root, '02:00:00:00:00:c7', 'persist'))).toBe('persist_dirs/alice');
  });

  it('removes the links of nodes that are gone and keeps their MAC folders (persistent data)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'walt-node-tree-'));
    dirs.push(dataDir);
    const all = nodes(3);
    await syncNodeTree(dataDir, all);
    await syncNodeTree(dataDir, all.slice(1));
    const root = join(dataDir, 'nodes');
    expect(() => lstatSync(join(root, 'node-000000'))).toThrow();
    expect(lstatSync(join(root, '02:00:00:00:00:00')).isDirectory()).toBe(true);
    expect(readlinkSync(join(root, 'node-000001'))).toBe('02:00:00:00:00:01');
  });
});
