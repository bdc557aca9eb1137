import { nowMicros, type LogService } from '../logs/log-service.js';

/** Recent console output kept for a user who attaches (the screen they would have seen). */
const RECENT_BYTES = 8 * 1024;
/** A console line longer than this is logged in pieces. */
const MAX_LINE = 4096;

/**
 * The serial console of one virtual node: fans the VM's output out to attached users, keeps the
 * last bytes for the next one, and logs it line by line on the node's stream `virtualconsole`.
 */
export class VirtualConsole {
  private recent = Buffer.alloc(0);
  private partial = '';
  private readonly listeners = new Set<(chunk: Buffer) => void>();

  constructor(
    private readonly mac: string,
    private readonly logs: LogService,
  ) {}

  write(chunk: Uint8Array): void {
    const buf = Buffer.from(chunk);
    this.recent = Buffer.concat([this.recent, buf]);
    if (this.recent.length > RECENT_BYTES) this.recent = this.recent.subarray(this.recent.length - RECENT_BYTES);
    for (const l of this.listeners) l(buf);
    this.logLines(buf.toString('utf8'));
  }

  private logLines(text: string): void {
    this.partial += text;
    const lines = this.partial.split('\n');
    this.partial = lines.pop() ?? '';
    if (this.partial.length > MAX_LINE) {
      lines.push(this.partial);
      this.partial = '';
    }
    const records = lines
      .map((l) => stripControls(l))
      .filter((l) => l.trim())
      .map((line) => ({ ts: nowMicros(), issuerMac: this.mac, stream: 'virtualconsole', line }));
    // Group-committed: a booting kernel prints hundreds of lines.
    if (records.length) void this.logs.ingest(records).catch(() => undefined);
  }

  /** Attach: returns the recent output and the function that detaches. */
  attach(listener: (chunk: Buffer) => void): { recent: Buffer; detach: () => void } {
    this.listeners.add(listener);
    return { recent: this.recent, detach: () => this.listeners.delete(listener) };
  }

  /** Detach everyone (node removed). */
  close(): void {
    this.listeners.clear();
  }
}

/** Drop carriage returns and terminal escape sequences, which mean nothing in a log line. */
export function stripControls(line: string): string {
  // eslint-disable-next-line no-control-regex
  return line.replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\x1bc/g, '').replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '');
}

