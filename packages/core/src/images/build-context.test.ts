import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { qualifyFromLines, receiveContext } from './build-context.js';

describe('receiveContext', () => {
  it('says in one line that tar is missing on the server, rather than spawn ENOENT', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'walt-ctx-'));
    const path = process.env.PATH;
    process.env.PATH = join(dir, 'no-commands-here');
    try {
      await expect(receiveContext(Readable.from([Buffer.alloc(1024)]), dir)).rejects.toThrow(/^tar is not installed on the server \(apt install tar\)$/);
    } finally {
      process.env.PATH = path;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('qualifyFromLines', () => {
  const has = (names: string[]) => (n: string) => names.includes(n.replace(/:latest$/, ''));

  it("names the user's own image when a FROM line gives a bare name the user has", () => {
    expect(qualifyFromLines('FROM pc-x86-64-default\nRUN true', 'alice', has(['pc-x86-64-default']))).toBe('FROM localhost/alice/pc-x86-64-default\nRUN true');
    expect(qualifyFromLines('from --platform=linux/amd64 mine:latest AS base', 'alice', has(['mine']))).toBe('from --platform=linux/amd64 localhost/alice/mine:latest AS base');
  });

  it('leaves qualified names, scratch, stage names, variables and unknown names alone', () => {
    const recipe = 'FROM mine AS base\nFROM base\nFROM scratch\nFROM reg:5000/x/y\nFROM debian:12\nFROM ${BASE}';
    expect(qualifyFromLines(recipe, 'bob', has(['mine', 'base', 'debian']))).toBe(
      'FROM localhost/bob/mine AS base\nFROM base\nFROM scratch\nFROM reg:5000/x/y\nFROM debian:12\nFROM ${BASE}',
    );
  });
});
