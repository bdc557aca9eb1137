import { Command } from 'commander';
import { CliContext } from './cli-context.js';

type RegisterCategory = (program: Command, ctx: CliContext) => void;

/**
 * The categories of `walt`, in the original's order, each loaded on demand: `walt node show` loads the
 * node commands only, since users type listing commands dozens of times an hour and every module
 * loaded is start-up time (the `cli-start` bench measures it).
 */
export const WALT_CATEGORIES: ReadonlyArray<{ name: string; load(): Promise<RegisterCategory> }> = [
  { name: 'image', load: async () => (await import('./commands/image/index.js')).registerImageCommands },
  { name: 'node', load: async () => (await import('./commands/node/index.js')).registerNodeCommands },
  { name: 'log', load: async () => (await import('./commands/log/index.js')).registerLogCommands },
  { name: 'device', load: async () => (await import('./commands/device/index.js')).registerDeviceCommands },
  { name: 'advanced', load: async () => (await import('./commands/advanced/index.js')).registerAdvancedCommands },
  { name: 'help', load: async () => (await import('./commands/help/index.js')).registerHelpCommands },
];

/** The `walt` program with no category yet. */
export function newWaltProgram(): Command {
  return new Command('walt').description('WalT platform control tool').version('1.0.0', '-V, --version').showHelpAfterError(false);
}

/**
 * The program that can run `args` (what follows `walt`): only the named category when the first
 * argument names one, else every category (program help, version, a mistyped category and its suggestion).
 */
export async function waltProgramFor(args: readonly string[], ctx = new CliContext()): Promise<Command> {
  const category = WALT_CATEGORIES.find((c) => c.name === args[0]);
  if (!category) return (await import('./walt-program.js')).buildWaltProgram(ctx);
  const program = newWaltProgram();
  (await category.load())(program, ctx);
  return program;
}
