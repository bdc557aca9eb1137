import { describe, expect, it } from 'vitest';
import { renderGaneshaExports } from './ganesha-exports.js';
import { planExports, type ExportedNode } from './nfs-export-plan.js';

const node = (image: string, imageRoot: string): ExportedNode => ({ mac: 'b8:27:eb:00:00:01', ip: '192.168.152.14', name: 'n1', model: 'pc-x86-64', image, imageRoot, persist: true });

/** Export_Id by pseudo path, in the order the blocks are written. */
function blocks(conf: string): Array<{ id: number; pseudo: string; path: string }> {
  return [...conf.matchAll(/Export_Id = (\d+);\n\s+Path = "([^"]+)";\n\s+Pseudo = "([^"]+)";/g)].map((m) => ({ id: Number(m[1]), path: m[2], pseudo: m[3] }));
}

describe('nfs-ganesha exports of a node given another image', () => {
  const before = blocks(renderGaneshaExports('192.168.152.0/24', planExports('/d', [node('walt/a:latest', '/views/a')])));
  const after = blocks(
    renderGaneshaExports('192.168.152.0/24', planExports('/d', [node('bob/b:latest', '/views/b')], [{ mac: 'b8:27:eb:00:00:01', image: 'walt/a:latest', imageRoot: '/views/a', until: 1 }])),
  );
  const nodeFs = '/var/lib/walt/nodes/b8:27:eb:00:00:01/fs';

  it("the node's path is a new export (another id), never the former one re-pointed (ganesha drops an export whose Path changes)", () => {
    const old = before.find((b) => b.pseudo === nodeFs)!;
    const now = after.find((b) => b.pseudo === nodeFs)!;
    expect(old.path).toBe('/views/a');
    expect(now.path).toBe('/views/b');
    expect(now.id).not.toBe(old.id);
  });

  it('the former export keeps its id and path (the running node holds handles of it) under another pseudo path, written first', () => {
    const old = before.find((b) => b.pseudo === nodeFs)!;
    const kept = after.find((b) => b.id === old.id)!;
    expect(kept).toEqual({ id: old.id, path: '/views/a', pseudo: `${nodeFs}-previous-${old.id}` });
    // Before the new export of the node's path (ganesha refuses a pseudo path still held).
    expect(after.indexOf(kept)).toBeLessThan(after.findIndex((b) => b.pseudo === nodeFs));
    // The former owner's persist folder likewise.
    const oldPersist = before.find((b) => b.pseudo.endsWith('/persist'))!;
    expect(after.find((b) => b.id === oldPersist.id)?.pseudo).toBe(`/var/lib/walt/nodes/b8:27:eb:00:00:01/persist-previous-${oldPersist.id}`);
  });

  it('ids are unique', () => {
    expect(new Set(after.map((b) => b.id)).size).toBe(after.length);
  });
});
