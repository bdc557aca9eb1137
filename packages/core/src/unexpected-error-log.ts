/** The process events an unguarded failure ends up in. */
export type UnexpectedEvent = 'uncaughtException' | 'unhandledRejection';

/** How often the same unexpected failure (same origin and message) is logged again. */
const REPEAT_PERIOD_MS = 10 * 60_000;

/**
 * The server's policy for a failure no guard caught (docs/decisions/0010-unexpected-errors.md): log it
 * on `platform.daemon` with its origin (the first frame of its stack that is not Node's own) and keep
 * serving. A failure that repeats (a timer, every packet of a storm) is logged once per period with the
 * count of repeats, so it cannot flood the durable log.
 */
export class UnexpectedErrorLog {
  private readonly seen = new Map<string, { at: number; repeats: number }>();
  /** How many unexpected failures this process survived. */
  count = 0;

  constructor(
    private readonly write: (line: string, fullStack: string) => void,
    private readonly now: () => number = Date.now,
  ) {}

  report(event: UnexpectedEvent, error: unknown): void {
    this.count++;
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const origin = originOf(error);
    const key = `${event}|${origin}|${message}`;
    const t = this.now();
    const entry = this.seen.get(key);
    if (entry && t - entry.at < REPEAT_PERIOD_MS) {
      entry.repeats++;
      return;
    }
    const again = entry?.repeats ? ` (${entry.repeats} more time${entry.repeats === 1 ? '' : 's'} since last said)` : '';
    if (this.seen.size > 200) this.seen.clear();
    this.seen.set(key, { at: t, repeats: 0 });
    const line = `unexpected ${event === 'unhandledRejection' ? 'rejection' : 'exception'} at ${origin}: ${message.split('\n')[0]}${again}; the server keeps serving (please report this bug)`;
    this.write(line, (error as Error)?.stack ?? String(error));
  }
}

/** "file:line" of the first stack frame outside Node's internals, or "unknown origin". */
export function originOf(error: unknown): string {
  const stack = (error as Error)?.stack;
  if (typeof stack !== 'string') return 'unknown origin';
  for (const frame of stack.split('\n').slice(1)) {
    const m = /^\s*at (?:(.*?) \()?(.*?):(\d+):\d+\)?$/.exec(frame);
    if (!m || m[2].startsWith('node:')) continue;
    const file = m[2].replace(/^file:\/\//, '');
    const short = file.replace(/^.*\/(packages|node_modules)\//, '$1/');
    return m[1] ? `${m[1]} (${short}:${m[3]})` : `${short}:${m[3]}`;
  }
  return 'unknown origin';
}
