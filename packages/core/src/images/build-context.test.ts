import { describe, expect, it } from 'vitest';
import { qualifyFromLines } from './build-context.js';

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
