/**
 * Echo of platform log lines to the daemon's stdout, one write per turn of the event loop: a boot
 * storm logs a line per new node, and a write per line (a synchronous syscall on a pipe) cost the
 * DHCP path about a tenth of its time (docs/decisions/0012-performance-on-a-busy-machine.md). Lines keep their
 * order; what is pending is written at exit too.
 */
export class StdoutEcho {
  private pending: string[] = [];
  private scheduled = false;
  private readonly onExit = () => this.flush();

  constructor(private readonly write: (text: string) => void = (t) => process.stdout.write(t)) {}

  readonly line = (line: string): void => this.text(`${line}\n`);

  /** Text that ends with a newline (one or more lines, already formatted). */
  readonly text = (text: string): void => {
    this.pending.push(text);
    if (this.scheduled) return;
    this.scheduled = true;
    process.once('exit', this.onExit);
    setImmediate(() => this.flush());
  };

  flush(): void {
    if (!this.scheduled) return;
    this.scheduled = false;
    process.off('exit', this.onExit);
    const lines = this.pending;
    this.pending = [];
    this.write(lines.join(''));
  }
}
