import { PassThrough, Readable } from 'node:stream';
import { CliError } from '../../cli-error.js';
import type { ApiClient } from '../../client/api-client.js';

/** Raw requests the JSON client does not cover: NDJSON progress streams and tar transfers. */
async function send(api: ApiClient, method: string, path: string, init: { body?: string | Readable; type?: string } = {}): Promise<Response> {
  await api.get('/api/v1/users/me'); // version and token checked before a long transfer (a stream body cannot be sent twice)
  return api.send(method, path, init);
}

export async function failOn(res: Response): Promise<void> {
  if (res.ok) return;
  let message = `server answered HTTP ${res.status}`;
  let code = 'http-error';
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string } };
    message = body.error?.message ?? message;
    code = body.error?.code ?? code;
  } catch {
    /* not JSON */
  }
  throw new CliError(message, code);
}

/**
 * POST long work (pull, push) and show its progress on a TTY (one line rewritten in place); the
 * result comes last. Off a TTY, progress is not printed.
 */
export async function postWithProgress<T>(api: ApiClient, path: string, body: unknown): Promise<T> {
  const res = await send(api, 'POST', `${path}?progress=1`, { body: JSON.stringify(body), type: 'application/json' });
  return readProgressAnswer<T>(res, rewrittenProgressLine());
}

/** Progress on a TTY: one line of stderr rewritten in place (`done` clears it). Off a TTY, nothing. */
export function rewrittenProgressLine(): ProgressDisplay {
  const tty = process.stderr.isTTY;
  let shown = false;
  return {
    show(line: string) {
      if (!tty) return;
      const width = (process.stderr.columns || 80) - 1;
      process.stderr.write(`\r\x1b[K${line.slice(0, width)}`);
      shown = true;
    },
    done() {
      if (shown) process.stderr.write('\r\x1b[K');
      shown = false;
    },
  };
}

/** How progress lines reach the user. */
export interface ProgressDisplay {
  show(line: string): void;
  done(): void;
}

/**
 * Read an NDJSON progress answer (`{"progress": line}`... then `{"result": ...}` or `{"error": ...}`):
 * lines go to `display`, the result is returned, an error is thrown as a one-line CliError.
 */
export async function readProgressAnswer<T>(res: Response, display: ProgressDisplay): Promise<T> {
  await failOn(res);
  let pending = '';
  let outcome: { result?: T; error?: { code?: string; message?: string } } | undefined;
  const decoder = new TextDecoder();
  const handle = (line: string) => {
    if (!line.trim()) return;
    let msg: { progress?: string; result?: T; error?: { code?: string; message?: string } };
    try {
      msg = JSON.parse(line) as typeof msg;
    } catch {
      return;
    }
    if (msg.progress !== undefined) display.show(msg.progress);
    else outcome = msg;
  };
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      pending += decoder.decode(chunk, { stream: true });
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        handle(pending.slice(0, nl));
        pending = pending.slice(nl + 1);
      }
    }
  } catch {
    /* connection lost: said below */
  }
  handle(pending);
  display.done();
  if (!outcome) throw new CliError('the server closed the connection before the end of the operation (see walt log show --platform)');
  if (outcome.error) throw new CliError(outcome.error.message ?? 'operation failed', outcome.error.code);
  return outcome.result as T;
}

/** GET a tar of `path` in an image. */
export async function downloadTar(api: ApiClient, image: string, path: string): Promise<Readable> {
  const res = await send(api, 'GET', `/api/v1/images/${encodeURIComponent(image)}/archive?path=${encodeURIComponent(path)}`);
  await failOn(res);
  return Readable.fromWeb(res.body as never);
}

/** PUT a tar into directory `path` of an image. */
export async function uploadTar(api: ApiClient, image: string, path: string, tar: Readable): Promise<{ message: string }> {
  // Read at once: a child's stdout nobody reads when it exits is drained and lost (child_process flushStdio).
  const body = tar.pipe(new PassThrough());
  const res = await send(api, 'PUT', `/api/v1/images/${encodeURIComponent(image)}/archive?path=${encodeURIComponent(path)}`, {
    body,
    type: 'application/x-tar',
  });
  await failOn(res);
  return (await res.json()) as { message: string };
}
