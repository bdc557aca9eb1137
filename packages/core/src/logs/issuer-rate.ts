/** What one node may send, on average and at once (one node wrote 1.8 GB in 19 s). */
export interface IssuerRateLimits {
  /** Sustained bytes of log lines per second and node. */
  bytesPerSecond: number;
  /** What a node may send at once before the rate applies. */
  burstBytes: number;
}

export const DEFAULT_ISSUER_RATE: IssuerRateLimits = { bytesPerSecond: 4 * 1024 * 1024, burstBytes: 64 * 1024 * 1024 };

/**
 * A token bucket per issuer (node MAC): lines are never dropped; a node over its rate is made to
 * wait (its connection stops being read: TCP pushes back on the node's walt-log-cat).
 */
export class IssuerRate {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly limits: IssuerRateLimits = DEFAULT_ISSUER_RATE,
    private readonly now: () => number = Date.now,
  ) {}

  /** Account for `bytes` sent by `issuer`; returns how long (ms) it must wait before sending more (0: none). */
  take(issuer: string, bytes: number): number {
    const t = this.now();
    const b = this.buckets.get(issuer) ?? { tokens: this.limits.burstBytes, at: t };
    b.tokens = Math.min(this.limits.burstBytes, b.tokens + ((t - b.at) / 1000) * this.limits.bytesPerSecond);
    b.at = t;
    b.tokens -= bytes;
    this.buckets.set(issuer, b);
    if (this.buckets.size > 10_000) this.forgetFull();
    return b.tokens >= 0 ? 0 : Math.ceil((-b.tokens / this.limits.bytesPerSecond) * 1000);
  }

  /** Buckets back to full carry no information: drop them (the map stays bounded). */
  private forgetFull(): void {
    const t = this.now();
    for (const [k, b] of this.buckets) if (b.tokens + ((t - b.at) / 1000) * this.limits.bytesPerSecond >= this.limits.burstBytes) this.buckets.delete(k);
  }
}
