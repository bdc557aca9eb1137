import type { LogStream } from '../store/logs-repository.js';
import type { UserRegex } from './posix-regex.js';
import { sharedRegexWorker, type RegexWorker } from './regex-worker.js';

/**
 * Which lines a reader wants: issuers (by MAC), a stream-name pattern and a line pattern
 * (unanchored). Patterns are matched on the regex worker only, never on this thread
 * (docs/decisions/0014-security.md), so the checks are asynchronous and work on batches.
 */
export class LogFilter {
  private readonly streamVerdicts = new Map<number, boolean>();

  constructor(
    readonly issuerMacs: ReadonlySet<string>,
    readonly streams: UserRegex | null,
    readonly line: UserRegex | null,
    private readonly regexes: RegexWorker = sharedRegexWorker(),
  ) {}

  /** The verdict already known for a stream (issuer and name), if any. */
  knownStream(streamId: number): boolean | undefined {
    return this.streamVerdicts.get(streamId);
  }

  /** Decide for these streams (cached per stream id); returns those accepted. */
  async acceptStreams(streams: readonly LogStream[]): Promise<LogStream[]> {
    const unknown = streams.filter((s) => !this.streamVerdicts.has(s.id));
    const byIssuer = unknown.filter((s) => {
      if (this.issuerMacs.has(s.issuerMac)) return true;
      this.streamVerdicts.set(s.id, false);
      return false;
    });
    if (this.streams) {
      const verdicts = await this.regexes.match(this.streams.pattern, byIssuer.map((s) => s.name));
      byIssuer.forEach((s, i) => this.streamVerdicts.set(s.id, verdicts[i] === 1));
    } else {
      for (const s of byIssuer) this.streamVerdicts.set(s.id, true);
    }
    return streams.filter((s) => this.streamVerdicts.get(s.id));
  }

  /** For each line, whether it is wanted (all of them without a line pattern). */
  async acceptLines(lines: readonly string[]): Promise<Uint8Array> {
    if (!this.line) return new Uint8Array(lines.length).fill(1);
    return this.regexes.match(this.line.pattern, lines);
  }
}
