import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type RequestOptions } from 'node:http';

/**
 * One HTTP exchange with node:http, the body read as text. The client's short calls (listings) use
 * it rather than fetch: fetch loads undici on first use, about 0.05 s of CPU, a third of Node's own
 * start (the `cli-start` bench). https:// loads node:https only then.
 */
export async function httpText(
  url: string,
  options: { method: string; headers: Record<string, string>; body?: string; signal?: AbortSignal },
): Promise<{ status: number; headers: IncomingHttpHeaders; text: string }> {
  const res = await httpResponse(url, options);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('error', reject);
    res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
  });
}

/**
 * One HTTP exchange with node:http, resolved when the response's head arrives; the caller reads the
 * body as it comes (log and console streams: an async iterable of Buffers; `signal` ends it). Streams
 * use it rather than fetch too: fetch's first call costs about 0.25 s of CPU (undici, its WebAssembly
 * HTTP parser, web streams), which made `walt log show` 3.9x `node -e 0`.
 */
export async function httpResponse(
  url: string,
  options: { method: string; headers: Record<string, string>; body?: string; signal?: AbortSignal },
): Promise<IncomingMessage> {
  const target = new URL(url);
  const request = target.protocol === 'https:' ? (await import('node:https')).request : httpRequest;
  const headers = { ...options.headers, ...(options.body !== undefined ? { 'content-length': String(Buffer.byteLength(options.body)) } : {}) };
  const init: RequestOptions = { method: options.method, headers, signal: options.signal, agent: false };
  return new Promise((resolve, reject) => {
    const req = request(target, init, resolve);
    req.on('error', reject);
    req.end(options.body);
  });
}
