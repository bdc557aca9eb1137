import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type RequestOptions } from 'node:http';
import type { Readable } from 'node:stream';
import type { Agent } from 'node:https';

export interface HttpExchangeOptions {
  method: string;
  headers: Record<string, string>;
  /** A string (JSON) or a stream (a tar), sent chunked. */
  body?: string | Readable;
  signal?: AbortSignal;
  /** https: the agent whose connections are pinned (pinned-tls.ts); none: a CA-verified connection. */
  agent?: Agent;
}

/**
 * One HTTP exchange with node:http, the response as a stream. The client uses node:http rather than
 * fetch: fetch loads undici on first use, about 0.05 s of CPU, a third of Node's own start (the
 * `cli-start` bench), and cannot pin a self-signed certificate. https:// loads node:tls only then.
 */
export async function httpExchange(url: string, options: HttpExchangeOptions): Promise<IncomingMessage> {
  const target = new URL(url);
  const headers = { ...options.headers, ...(typeof options.body === 'string' ? { 'content-length': String(Buffer.byteLength(options.body)) } : {}) };
  const init: RequestOptions = { method: options.method, headers, signal: options.signal, agent: false };
  let request = httpRequest;
  if (target.protocol === 'https:') {
    request = (await import('node:https')).request;
    if (options.agent) init.agent = options.agent;
  }
  return new Promise((resolve, reject) => {
    const req = request(target, init, resolve);
    req.on('error', reject);
    if (options.body === undefined || typeof options.body === 'string') req.end(options.body);
    else {
      options.body.on('error', (e) => req.destroy(e));
      options.body.pipe(req);
    }
  });
}

/** One exchange, the body read as text (the client's short JSON calls). */
export async function httpText(url: string, options: HttpExchangeOptions): Promise<{ status: number; headers: IncomingHttpHeaders; text: string }> {
  const res = await httpExchange(url, options);
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return { status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') };
}
