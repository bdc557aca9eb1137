import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importCycles, importGraph } from './import-graph.js';

const SRC = resolve(import.meta.dirname, '..');
const graph = importGraph(SRC);

/** Folders allowed to import api/: the API itself, and the composition root that hands it its services. */
const API_USERS = /^(api|compose)\/|^(server|index)\.ts$/;

describe('import rules of @walt/core (docs/decisions/0016-composition-root.md)', () => {
  it('reads the real graph (the check cannot pass on an empty one)', () => {
    expect(graph.length).toBeGreaterThan(200);
    expect(graph.some((e) => e.from === 'compose/compose-server.ts' && e.to === 'api/router.ts')).toBe(true);
  });

  it('no domain folder imports api/ (subsystems hand their routes to the composition root)', () => {
    const upward = graph.filter((e) => e.to.startsWith('api/') && !API_USERS.test(e.from)).map((e) => `${e.from} -> ${e.to}`);
    expect(upward).toEqual([]);
  });

  it('nothing outside the composition root and the server imports compose/', () => {
    const into = graph.filter((e) => e.to.startsWith('compose/') && !/^(compose\/|server\.ts$)/.test(e.from)).map((e) => `${e.from} -> ${e.to}`);
    expect(into).toEqual([]);
  });

  it('has no import cycle, type-only imports included', () => {
    expect(importCycles(graph).map((c) => c.join(' -> '))).toEqual([]);
  });

  it('finds a cycle and an upward import when there is one (the checks can fail)', () => {
    const edges = [
      { from: 'a.ts', to: 'b.ts', typeOnly: false },
      { from: 'b.ts', to: 'c.ts', typeOnly: true },
      { from: 'c.ts', to: 'a.ts', typeOnly: false },
    ];
    expect(importCycles(edges)).toEqual([['a.ts', 'b.ts', 'c.ts', 'a.ts']]);
    expect(API_USERS.test('logs/log-subsystem.ts')).toBe(false);
  });
});
