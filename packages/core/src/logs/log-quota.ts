import { LINE_OVERHEAD_BYTES, type LogRecord, type LogsRepository } from '../store/logs-repository.js';

export interface LogQuotaOptions {
  /** Stored bytes one issuer may keep (text plus a per-line overhead). */
  bytesPerIssuer: number;
  /** Issuers the quota does not apply to (the server's own platform log). */
  exempt(issuerMac: string): boolean;
  /** Name of an issuer, for the platform log line. */
  nameOf(issuerMac: string): string;
  /** Writes a platform log line (stream platform.logs). */
  report(line: string): void;
  /** At most one report per issuer per period (ms). */
  reportPeriodMs?: number;
  now?: () => number;
}

/** Lines deleted per step: each step is a short transaction, so other nodes' commits interleave. */
const ROWS_PER_STEP = 2000;
/** Trimming goes a little under the quota, so a node at its limit is not trimmed at every commit. */
const LOW_WATER = 0.9;

/**
 * The per-node disk quota of stored log lines (issue 14: one node wrote 1.8 GB in 19 s). Each
 * commit adds to the issuer's count; a node over its quota has its oldest lines dropped, in short
 * steps between other work, never inside another node's commit. The platform log says so once per
 * period per node, with what was dropped since the last report.
 */
export class LogQuota {
  private readonly used = new Map<string, number>();
  private readonly trimming = new Set<string>();
  private readonly reports = new Map<string, { at: number; lines: number; bytes: number }>();

  constructor(
    private readonly repository: LogsRepository,
    private readonly options: LogQuotaOptions,
  ) {}

  /** Count lines just committed; start trimming a node that went over its quota. */
  committed(records: readonly LogRecord[]): void {
    const added = new Map<string, number>();
    for (const r of records) {
      if (this.options.exempt(r.issuerMac)) continue;
      added.set(r.issuerMac, (added.get(r.issuerMac) ?? 0) + r.line.length + LINE_OVERHEAD_BYTES);
    }
    for (const [mac, bytes] of added) {
      const known = this.used.get(mac);
      // First commit of this node since the start: count what it has stored (these lines included).
      const used = known === undefined ? this.repository.issuerBytes(mac) : known + bytes;
      this.used.set(mac, used);
      if (used > this.options.bytesPerIssuer && !this.trimming.has(mac)) {
        this.trimming.add(mac);
        setImmediate(() => this.trimStep(mac));
      }
    }
  }

  /** The bytes counted for a node (tests, diagnostics). */
  usage(issuerMac: string): number | undefined {
    return this.used.get(issuerMac);
  }

  /** Resolves once no node is being trimmed (tests). */
  async settled(): Promise<void> {
    while (this.trimming.size) await new Promise((r) => setImmediate(r));
  }

  private trimStep(mac: string): void {
    try {
      const target = this.options.bytesPerIssuer * LOW_WATER;
      const used = this.used.get(mac) ?? 0;
      if (used <= target) return void this.trimming.delete(mac);
      const dropped = this.repository.dropOldest(mac, ROWS_PER_STEP, used - target);
      this.used.set(mac, Math.max(0, used - dropped.bytes));
      this.note(mac, dropped);
      if (dropped.lines === 0) {
        // Nothing left to drop (counted lines were deleted by someone else): count again.
        this.used.set(mac, this.repository.issuerBytes(mac));
        return void this.trimming.delete(mac);
      }
      setImmediate(() => this.trimStep(mac));
    } catch (e) {
      this.trimming.delete(mac);
      this.options.report(`cannot trim the stored logs of ${this.options.nameOf(mac)}: ${(e as Error).message}`);
    }
  }

  private note(mac: string, dropped: { lines: number; bytes: number }): void {
    const now = (this.options.now ?? Date.now)();
    const period = this.options.reportPeriodMs ?? 10 * 60_000;
    const r = this.reports.get(mac) ?? { at: -Infinity, lines: 0, bytes: 0 };
    r.lines += dropped.lines;
    r.bytes += dropped.bytes;
    if (now - r.at >= period && r.lines > 0) {
      const mib = (this.options.bytesPerIssuer / (1024 * 1024)).toFixed(0);
      this.options.report(
        `${this.options.nameOf(mac)} is over its log quota (${mib} MiB, config key logs.node-quota-mib): dropped its ${r.lines} oldest lines (${r.bytes} bytes)` +
          ` since the last report; said at most once every ${Math.round(period / 60_000)} min`,
      );
      r.at = now;
      r.lines = 0;
      r.bytes = 0;
    }
    this.reports.set(mac, r);
  }
}
