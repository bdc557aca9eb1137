/**
 * How the daemon echoes platform log lines to its stdout. Under systemd (which sets JOURNAL_STREAM when
 * stdout is connected to the journal, and INVOCATION_ID for every unit it runs) each line gets an
 * sd-daemon priority prefix, so `journalctl -u walt-server` shows ERROR lines as errors (priority 3) and
 * the rest as info (6). Elsewhere (a terminal, a container log) lines are written as they are.
 */

/** sd-daemon(3) priorities: `<3>` SD_ERR, `<6>` SD_INFO. */
const SD_ERR = '<3>';
const SD_INFO = '<6>';

export function runsUnderSystemd(env: NodeJS.ProcessEnv = process.env): boolean {
  return !!(env.JOURNAL_STREAM || env.INVOCATION_ID);
}

/** The text to write for one echoed line: every physical line prefixed when under systemd. */
export function formatEchoLine(line: string, underSystemd: boolean): string {
  if (!underSystemd) return `${line}\n`;
  const priority = line.startsWith('ERROR ') ? SD_ERR : SD_INFO;
  return line
    .split('\n')
    .map((l) => `${priority}${l}\n`)
    .join('');
}

/** The echo the server uses when none is given: stdout, fitted to the host (decided once, at start). */
export function hostEcho(env: NodeJS.ProcessEnv = process.env, write: (text: string) => void = (t) => process.stdout.write(t)): (line: string) => void {
  const underSystemd = runsUnderSystemd(env);
  return (line) => write(formatEchoLine(line, underSystemd));
}

/**
 * Under systemd, what the daemon writes on stderr is an error (a one-line start failure, an
 * unexpected exception): give every line the journal's error priority, as journal-echo does for
 * ERROR platform lines. Returns the writer to install, or null when not under systemd.
 */
export function journalErrorWriter(write: (text: string) => boolean, env: NodeJS.ProcessEnv = process.env): ((text: string) => boolean) | null {
  if (!runsUnderSystemd(env)) return null;
  let atLineStart = true;
  return (text) => {
    let out = '';
    for (const piece of text.split(/(?<=\n)/)) {
      if (!piece) continue;
      out += atLineStart ? `${SD_ERR}${piece}` : piece;
      atLineStart = piece.endsWith('\n');
    }
    return write(out);
  };
}
