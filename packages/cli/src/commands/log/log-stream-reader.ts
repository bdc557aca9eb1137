import { CliError } from '../../cli-error.js';
import type { StreamAnswer } from '../../client/api-client.js';
import type { LogRecordJson } from './log-format.js';

/** What the user sees when the server goes away in the middle of a log stream. */
export function connectionLost(server: string): CliError {
  return new CliError(`the connection to the WalT server (${server}) was lost: it stopped or the network failed`, 'connection-lost');
}

/**
 * Read the server's NDJSON log stream, calling `onBatch` with the records of each chunk received (so
 * realtime lines are printed as soon as they arrive, and large histories in few writes). Empty lines
 * are the server's keep-alives. `onBatch` returns true to stop reading. A connection that breaks
 * (server stopped, network down) is a CliError that says so; our own aborts pass through unchanged.
 */
export async function readLogStream(res: StreamAnswer, server: string, onBatch: (records: LogRecordJson[]) => boolean | Promise<boolean>): Promise<void> {
  const decoder = new TextDecoder();
  let partial = '';
  const chunks = res.body[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<Uint8Array>;
    try {
      next = await chunks.next();
    } catch (e) {
      if (e instanceof CliError || (e as Error)?.name === 'AbortError') throw e;
      throw connectionLost(server);
    }
    if (next.done) return;
    const text = partial + decoder.decode(next.value, { stream: true });
    const lines = text.split('\n');
    partial = lines.pop()!;
    const records: LogRecordJson[] = [];
    for (const l of lines) if (l) records.push(JSON.parse(l) as LogRecordJson);
    if (records.length && (await onBatch(records))) {
      await chunks.return?.();
      return;
    }
  }
}
