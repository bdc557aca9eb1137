/** Something with a retransmission timeout, checked by a TransferClock. */
export interface Ticking {
  /** Called every `periodMs` while registered. */
  tick(periodMs: number): void;
}

/**
 * One interval per thread for every transfer's retransmission timeout, instead of a timer per
 * transfer refreshed on every ACK: the hot path only sets a flag. Timeouts fire within one period
 * after they are due. The interval runs only while transfers are registered.
 */
export class TransferClock {
  private readonly members = new Set<Ticking>();
  private interval: NodeJS.Timeout | undefined;

  constructor(private readonly periodMs = 50) {}

  add(t: Ticking): void {
    this.members.add(t);
    this.interval ??= setInterval(() => this.tickAll(), this.periodMs);
  }

  delete(t: Ticking): void {
    this.members.delete(t);
    if (this.members.size === 0 && this.interval) {
      clearInterval(this.interval);
      this.interval = undefined;
    }
  }

  private tickAll(): void {
    for (const t of this.members) {
      try {
        t.tick(this.periodMs);
      } catch {
        /* a transfer's own bug must not stop the others' clocks */
      }
    }
  }
}
