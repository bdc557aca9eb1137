import type { ApiClient } from '../../client/api-client.js';
import { compileLogFormat, type LogRecordJson } from './log-format.js';
import { readLogStream } from './log-stream-reader.js';

let pipeHandled = false;

/** Write to stdout, waiting when the reader is slower; a closed pipe (`| head`) ends the command quietly. */
export function writeOut(text: string): Promise<void> {
  if (!pipeHandled) {
    pipeHandled = true;
    process.stdout.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(0);
      throw e;
    });
  }
  if (process.stdout.write(text)) return Promise.resolve();
  return new Promise((resolve) => process.stdout.once('drain', () => resolve()));
}

/**
 * Stream GET /api/v1/logs with these parameters and print each record with the format. `stop` is
 * called for each printed record; when it returns true the stream ends (log wait).
 */
export async function printLogStream(
  api: ApiClient,
  params: URLSearchParams,
  format: string,
  stop?: (record: LogRecordJson) => boolean,
  signal?: AbortSignal,
): Promise<void> {
  const render = compileLogFormat(format);
  const controller = new AbortController();
  signal?.addEventListener('abort', () => controller.abort(signal.reason));
  const res = await api.stream(`/api/v1/logs?${params}`, controller.signal);
  try {
    await readLogStream(res, api.config.server, async (records) => {
      let text = '';
      let done = false;
      for (const r of records) {
        text += render(r) + '\n';
        if (stop?.(r)) {
          done = true;
          break;
        }
      }
      await writeOut(text);
      return done;
    });
  } finally {
    controller.abort();
  }
}
