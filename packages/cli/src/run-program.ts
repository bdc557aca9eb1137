import { Command, CommanderError } from 'commander';
import { CliError } from './cli-error.js';

/** One line: commander's "error: ..." plus its "(Did you mean ...?)" suggestion, as "Error: ... (Did you mean ...?)". */
export function oneLineError(text: string): string {
  const line = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join(' ')
    .replace(/^error:\s*/i, '');
  return errorLine(line);
}

/**
 * The one place an error becomes `Error: <message>`. Server messages keep the original WalT's own
 * lead-in ("Failed: ...", "Error: ..."); it is dropped here so that no line reads "Error: Failed: ...".
 */
export function errorLine(message: string): string {
  return `Error: ${message.replace(/^(?:\s*(?:error|failed)\s*:\s*)+/i, '')}`;
}

/**
 * Run a commander program with WalT's error policy: every failure is one line on stderr and a
 * non-zero exit; an unexpected exception is reported, never a stack trace. Asking for help (the
 * program alone, `--help`) prints it on stdout and exits 0; a category alone prints its
 * sub-commands, then says one is missing.
 */
export async function runProgram(program: Command, argv: string[]): Promise<number> {
  let helpShownFor: Command | undefined;
  const commands = allCommands(program);
  for (const cmd of commands) {
    cmd.exitOverride();
    cmd.showSuggestionAfterError(true);
    cmd.configureOutput({
      // commander writes here only the help it shows instead of running a command (no sub-command given).
      writeErr: (s) => {
        helpShownFor = cmd;
        process.stdout.write(s);
      },
      outputError: (s) => process.stderr.write(oneLineError(s) + '\n'),
    });
  }
  // A program whose commands all have sub-commands (walt) lists them as categories, like the original.
  if (program.commands.length && program.commands.every((c) => c.commands.length > 0)) {
    for (const c of program.commands) c.helpGroup('Categories:');
  }
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    // `walt ... | head`: the reader left; that is not a failure of ours.
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  });
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.help' && helpShownFor) {
        if (helpShownFor === program) return 0; // the program alone: its categories
        process.stderr.write(errorLine(`'${commandPath(helpShownFor)}' needs a sub-command (listed above)`) + '\n');
        return 1;
      }
      // help and version displays end here with exit code 0; parse errors were printed by outputError
      return e.exitCode;
    }
    if (e instanceof CliError) {
      // An empty message: the status alone (a remote command's, already shown by its own output).
      if (e.message) process.stderr.write(errorLine(firstLine(e.message)) + '\n');
      return e.exitCode;
    }
    // A typed error of the server library (WaltError, ConfigError) says what to do in its message.
    const err = e as { name?: string; message?: string; code?: unknown };
    if (err?.name === 'WaltError' || err?.name === 'ConfigError') {
      process.stderr.write(errorLine(firstLine(String(err.message))) + '\n');
      return 1;
    }
    process.stderr.write(errorLine(`unexpected failure: ${firstLine(String(err?.message ?? e))}`) + '\n');
    return 1;
  }
}

function firstLine(text: string): string {
  return text.split('\n').find((l) => l.trim()) ?? text;
}

function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

function allCommands(cmd: Command): Command[] {
  return [cmd, ...cmd.commands.flatMap(allCommands)];
}
