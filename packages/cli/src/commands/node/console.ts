import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.js';
import type { ApiClient, StreamAnswer } from '../../client/api-client.js';
import { CliError } from '../../cli-error.js';
import { askConfirmation } from './ownership-confirmation.js';

const CTRL_A = 0x01;

/**
 * What the user typed, after the escape sequences: `<ctrl-a> d` detaches, `<ctrl-a> a` sends one
 * ctrl-a; any other key after ctrl-a is sent as is, with the ctrl-a.
 */
export class ConsoleEscape {
  private pendingCtrlA = false;

  /** Bytes for the VM, and whether the user asked to detach. */
  feed(input: Uint8Array): { send: Buffer; detach: boolean } {
    const out: number[] = [];
    for (const byte of input) {
      if (this.pendingCtrlA) {
        this.pendingCtrlA = false;
        if (byte === 0x64 /* d */) return { send: Buffer.from(out), detach: true };
        if (byte === 0x61 /* a */) out.push(CTRL_A);
        else out.push(CTRL_A, byte);
      } else if (byte === CTRL_A) this.pendingCtrlA = true;
      else out.push(byte);
    }
    return { send: Buffer.from(out), detach: false };
  }
}

/** `walt node console <node-name>`: the serial console of a virtual node, until <ctrl-a> d. */
export function registerNodeConsole(node: Command, ctx: CliContext): void {
  node
    .command('console')
    .argument('<node-name>', 'a virtual node')
    .option('--yes', "do not ask before connecting to another user's node")
    .description('connect to the console of a virtual node')
    .action(async (name: string, opts: { yes?: boolean }) => {
      const api = await ctx.api();
      const path = `/api/v1/nodes/${encodeURIComponent(name)}`;
      const abort = new AbortController();
      let confirmed = !!opts.yes;
      let res: StreamAnswer;
      try {
        res = await api.stream(`${path}/console?confirmed=${confirmed}`, abort.signal);
      } catch (e) {
        // Another user's node: ask (as the other node commands do), or tell a script about --yes.
        if (!(e instanceof CliError) || e.code !== 'needs-confirmation') throw e;
        if (!(process.stdin.isTTY && process.stdout.isTTY)) throw new CliError(`${e.message.replace(/\.$/, '')}: use --yes to connect anyway.`, 'needs-confirmation');
        if (!(await askConfirmation(e.message))) throw new CliError('Aborted.', 'aborted');
        confirmed = true;
        res = await api.stream(`${path}/console?confirmed=true`, abort.signal);
      }
      process.stderr.write(`Connected to the console of ${name}: press <ctrl-a> d to detach, <ctrl-a> a to send <ctrl-a>.\n`);
      const stdin = process.stdin;
      const raw = stdin.isTTY === true;
      if (raw) stdin.setRawMode(true);
      let detached = false;
      const detach = () => {
        detached = true;
        abort.abort();
      };
      const escape = new ConsoleEscape();
      let sending: Promise<unknown> = Promise.resolve();
      const onData = (chunk: Buffer) => {
        const { send, detach: wants } = escape.feed(chunk);
        if (send.length) sending = sending.then(() => sendInput(api, path, send, confirmed)).catch(() => undefined);
        if (wants) void sending.then(detach);
      };
      stdin.on('data', onData);
      try {
        for await (const chunk of res.body) process.stdout.write(chunk);
      } catch (e) {
        if (!detached) throw e;
      } finally {
        stdin.off('data', onData);
        if (raw) stdin.setRawMode(false);
        stdin.pause();
      }
      process.stderr.write(detached ? '\nDetached.\n' : '\nThe server closed the console.\n');
    });
}

function sendInput(api: ApiClient, path: string, data: Buffer, confirmed: boolean): Promise<unknown> {
  return api.post(`${path}/console/input`, { data: data.toString('base64'), confirmed });
}
