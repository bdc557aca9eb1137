/**
 * The original WalT's tables: a header row, a dash row, then rows; columns left-aligned and separated
 * by two spaces; null shows as empty.
 */
export function columnate(headers: readonly string[], rows: ReadonlyArray<ReadonlyArray<unknown>>): string {
  const cells = rows.map((r) => r.map((c) => (c === null || c === undefined ? '' : String(c))));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/** A titled paragraph (title in bold on a TTY), optionally followed by a footnote. */
export function paragraph(title: string, body: string, footnote?: string): string {
  const bold = process.stdout.isTTY ? `\x1b[1m${title}\x1b[0m` : title;
  return `\n${bold}\n\n${body}\n\n${footnote ? footnote + '\n\n' : ''}`;
}

/** Print a value as JSON (the --json output of every listing). */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}
