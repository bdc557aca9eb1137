import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type RequestOptions } from 'node:http';

/**
 * One HTTP exchange with node:http, the response as a stream (resolved when its head arrives; the
 * caller reads the body, an async iterable of Buffers; `signal` ends it). The client uses node:http
 * rather than fetch: fetch loads undici on first use, about 0.05 s of CPU, a third of Node's own start
 * (the `cli-start` bench), and its first call with a response about 0.25 s (undici, its WebAssembly
 * HTTP parser, web streams), which made `walt log show` 3.9x `node -e 0`. https:// loads node:https
 * only then.
 */
export async function httpExchange(url: string, options: { method: string; headers: Record<string, string>; body?: string; signal?: AbortSignal }): Promise<IncomingMessage> {
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

/** One exchange, the body read as text (the client's short JSON calls). */
export async function httpText(
  url: string,
  options: { method: string; headers: Record<string, string>; body?: string; signal?: AbortSignal },
): Promise<{ status: number; headers: IncomingHttpHeaders; text: string }> {
  const res = await httpExchange(url, options);
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return { status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') };
}
