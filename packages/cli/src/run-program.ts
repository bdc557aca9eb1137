import { Command, CommanderError } from 'commander';
import { CliError } from './cli-error.js';

/**
 * Run a commander program with WalT's error policy: every failure is one line on stderr and a
 * non-zero exit; an unexpected exception is reported, never a stack trace.
 */
export async function runProgram(program: Command, argv: string[]): Promise<number> {
  program.exitOverride();
  program.configureOutput({ writeErr: (s) => process.stderr.write(s.split('\n').filter(Boolean)[0] + '\n') });
  for (const cmd of allCommands(program)) {
    cmd.exitOverride();
    cmd.showSuggestionAfterError(true);
  }
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version displays end here with exit code 0
      return e.exitCode;
    }
    if (e instanceof CliError) {
      process.stderr.write(`Error: ${e.message}\n`);
      return e.exitCode;
    }
    process.stderr.write(`Error: unexpected failure: ${(e as Error)?.message ?? String(e)}\n`);
    return 1;
  }
}

function allCommands(cmd: Command): Command[] {
  return [cmd, ...cmd.commands.flatMap(allCommands)];
}
