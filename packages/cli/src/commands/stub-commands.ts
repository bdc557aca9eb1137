import type { Command } from 'commander';
import { notAvailable } from '../cli-error.js';

/** A command whose syntax is fixed (from the original WalT) but whose implementation comes later. */
export interface StubSpec {
  name: string;
  args?: string;
  description: string;
  options?: Array<[flags: string, description: string]>;
}

/** Declare commands that answer "not available yet" and exit non-zero, never crash. */
export function addStubs(category: Command, specs: readonly StubSpec[]): void {
  for (const s of specs) {
    const cmd = category.command(`${s.name}${s.args ? ' ' + s.args : ''}`).description(s.description);
    for (const [flags, description] of s.options ?? []) cmd.option(flags, description);
    cmd.action(() => {
      throw notAvailable(`walt ${category.name()} ${s.name}`);
    });
  }
}
