/**
 * At most one line per key and period, with the number of lines held back: a flood of bad packets
 * must not flood the platform log (every platform line is a durable write).
 */
export class LogThrottle {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly write: (line: string) => void,
    private readonly periodMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  log(key: string, line: string): void {
    const t = this.now();
    const entry = this.last.get(key);
    if (entry && t - entry.at < this.periodMs) {
      entry.suppressed++;
      return;
    }
    const suffix = entry?.suppressed ? ` (${entry.suppressed} similar line${entry.suppressed === 1 ? '' : 's'} suppressed)` : '';
    if (this.last.size > 1000) this.last.clear(); // keys include addresses: keep the map bounded
    this.last.set(key, { at: t, suppressed: 0 });
    this.write(line + suffix);
  }
}
