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

/** Thrown by commands a later release fills in. */
export function notAvailable(command: string): CliError {
  return new CliError(`'${command}' is not available yet in this release of WalT.`, 'not-available', 2);
}

/** Ends the command with a remote command's exit status, and no message (its output said it all). */
export function exitWith(status: number): CliError {
  return new CliError('', 'remote-exit', status);
}
