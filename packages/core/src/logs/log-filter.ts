import type { LogStream } from '../store/logs-repository.js';

/** Which lines a reader wants: issuers (by MAC), a stream-name regexp and a line regexp (unanchored). */
export class LogFilter {
  private readonly streamVerdicts = new Map<number, boolean>();

  constructor(
    readonly issuerMacs: ReadonlySet<string>,
    readonly streams: RegExp | null,
    readonly line: RegExp | null,
  ) {}

  /** Does this stream belong to the selection (issuer and name)? Cached per stream id. */
  acceptsStream(stream: LogStream): boolean {
    let ok = this.streamVerdicts.get(stream.id);
    if (ok === undefined) {
      ok = this.issuerMacs.has(stream.issuerMac) && (!this.streams || this.streams.test(stream.name));
      this.streamVerdicts.set(stream.id, ok);
    }
    return ok;
  }

  acceptsLine(line: string): boolean {
    return !this.line || this.line.test(line);
  }
}
