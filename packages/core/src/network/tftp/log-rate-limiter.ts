/**
 * At most `perSecond` log lines a second: a client hammering the server with bad requests must not
 * flood the durable log (each line is a synchronous write). Dropped lines are counted and reported.
 */
export class LogRateLimiter {
  private windowStart = 0;
  private count = 0;
  private dropped = 0;

  constructor(private readonly perSecond: number) {}

  run(write: () => void, reportDropped: (count: number) => void): void {
    const now = Date.now();
    if (now - this.windowStart >= 1000) {
      if (this.dropped) reportDropped(this.dropped);
      this.windowStart = now;
      this.count = 0;
      this.dropped = 0;
    }
    if (this.count >= this.perSecond) {
      this.dropped++;
      return;
    }
    this.count++;
    write();
  }
}
