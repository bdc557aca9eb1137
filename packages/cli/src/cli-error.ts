/** An error the CLI shows as one line on stderr, then exits non-zero. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly code = 'error',
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Ends the command with a remote command's exit status, and no message (its output said it all). */
export function exitWith(status: number): CliError {
  return new CliError('', 'remote-exit', status);
}
