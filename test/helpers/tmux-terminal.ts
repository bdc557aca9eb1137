import { execFileSync } from 'node:child_process';

/** A terminal (tmux) running a command; the test types into it and reads its screen. */
export class Terminal {
  constructor(readonly name: string) {}

  static open(name: string, command: string): Terminal {
    execFileSync('tmux', ['new-session', '-d', '-s', name, '-x', '120', '-y', '40', command]);
    return new Terminal(name);
  }

  keys(...keys: string[]): void {
    execFileSync('tmux', ['send-keys', '-t', this.name, ...keys]);
  }

  type(text: string): void {
    execFileSync('tmux', ['send-keys', '-t', this.name, '-l', text]);
    this.keys('Enter');
  }

  screen(): string {
    return execFileSync('tmux', ['capture-pane', '-p', '-J', '-S', '-300', '-t', this.name], { encoding: 'utf8' });
  }

  async waitFor(pattern: RegExp | string, timeoutMs = 60_000): Promise<string> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const screen = this.screen();
      if (typeof pattern === 'string' ? screen.includes(pattern) : pattern.test(screen)) return screen;
      if (Date.now() > end) throw new Error(`timed out waiting for ${String(pattern)} on the terminal:\n${screen}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  close(): void {
    try {
      execFileSync('tmux', ['kill-session', '-t', this.name], { stdio: 'ignore' });
    } catch {
      /* ended */
    }
  }
}

