import type { LogRecordJson } from './log-format.js';

/**
 * Read the server's NDJSON log stream, calling `onBatch` with the records of each chunk received (so
 * realtime lines are printed as soon as they arrive, and large histories in few writes). Empty lines
 * are the server's keep-alives. `onBatch` returns true to stop reading.
 */
export async function readLogStream(res: Response, onBatch: (records: LogRecordJson[]) => boolean | Promise<boolean>): Promise<void> {
  if (!res.body) return;
  const decoder = new TextDecoder();
  let partial = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    const text = partial + decoder.decode(chunk, { stream: true });
    const lines = text.split('\n');
    partial = lines.pop()!;
    const records: LogRecordJson[] = [];
    for (const l of lines) if (l) records.push(JSON.parse(l) as LogRecordJson);
    if (records.length && (await onBatch(records))) return;
  }
}
