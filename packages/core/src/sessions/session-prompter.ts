import { FrameType, type Frame, type SessionChannel } from '@walt/session-protocol';

/**
 * Asks the session's user a question before the remote process exists (an SSH password): the
 * prompt goes out as stdout, the answer is read from stdin frames up to Enter, not echoed. Input
 * that is not an answer (typed ahead, or piped) is kept, and handed with detach() to what runs the
 * session next (relaySession's `pending`).
 */
export class SessionPrompter {
  private buffer = '';
  private readonly pending: Frame[] = [];
  private waiting?: (line: string | undefined) => void;
  private readonly onFrame = (frame: Frame) => {
    if (!this.waiting || (frame.type !== FrameType.stdin && frame.type !== FrameType.eof)) return void this.pending.push(frame);
    if (frame.type === FrameType.eof) {
      this.pending.push(frame);
      return this.answer(undefined);
    }
    this.buffer += frame.payload.toString('utf8');
    const end = this.buffer.search(/[\r\n]/);
    if (end < 0) return;
    const line = this.buffer.slice(0, end);
    const rest = this.buffer.slice(end + 1).replace(/^\n/, '');
    this.buffer = '';
    if (rest) this.pending.push({ type: FrameType.stdin, payload: Buffer.from(rest) });
    this.answer(line);
  };

  constructor(private readonly channel: SessionChannel) {
    channel.on('frame', this.onFrame);
  }

  /** The typed line, or undefined when the client ended its input or left. */
  ask(prompt: string): Promise<string | undefined> {
    // An answer typed ahead (or piped) is the first pending stdin line.
    const ahead = this.pending.findIndex((f) => f.type === FrameType.stdin || f.type === FrameType.eof);
    this.channel.send(FrameType.stdout, Buffer.from(prompt));
    return new Promise((resolve) => {
      this.waiting = resolve;
      if (ahead >= 0) for (const f of this.pending.splice(ahead)) this.onFrame(f);
      void this.channel.whenClosed.then(() => this.answer(undefined));
    });
  }

  /** Stops listening; returns the frames received that were not answers, in order. */
  detach(): Frame[] {
    this.channel.off('frame', this.onFrame);
    return this.pending.splice(0);
  }

  private answer(line: string | undefined): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    if (line !== undefined) this.channel.send(FrameType.stdout, Buffer.from('\r\n'));
    waiting?.(line);
  }
}
