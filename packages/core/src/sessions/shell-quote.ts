/** One argument for a POSIX shell command line: single-quoted, its own quotes escaped. */
export function shellQuote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}
