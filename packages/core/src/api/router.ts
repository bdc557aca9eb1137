import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SessionChannel } from '@walt/session-protocol';

/** A request as route handlers see it. */
export interface ApiRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  /** Parsed JSON body (undefined when none). */
  body: unknown;
  /** The WalT user name the client sent (header X-Walt-User), or null. */
  user: string | null;
  raw: IncomingMessage;
  res: ServerResponse;
}

/** Returned by a handler that wrote the response itself (streams). */
export const STREAMED = Symbol('streamed');

export type RouteHandler = (req: ApiRequest) => unknown;

/** A session request (HTTP Upgrade: walt-session) as its handler sees it: no body, no response. */
export type SessionRequest = Omit<ApiRequest, 'body' | 'res'> & {
  /** The client offered raw stdin and the connection allows it (plain TCP): see RAW_STDIN_HEADER. */
  rawStdinOffered: boolean;
};

/**
 * Runs a session once the connection is upgraded; its end (or throw) ends the session. `rawStdin`:
 * accepts the client's raw stdin (only when offered); the runner then hands `channel.socket` to a
 * process as its stdin in the same tick (the server never reads it).
 */
export type SessionRunner = ((channel: SessionChannel) => Promise<void>) & { rawStdin?: boolean };

/**
 * An upgrade route: checks the request (a throw answers an HTTP error, before any upgrade), then
 * returns what runs the session (docs/decisions/0019-session-transport.md).
 */
export type SessionHandler = (req: SessionRequest) => SessionRunner | Promise<SessionRunner>;

interface Route {
  method: string;
  parts: string[];
  handler: RouteHandler;
}

interface SessionRoute {
  parts: string[];
  handler: SessionHandler;
}

/** A small path router: '/api/v1/devices/:name' patterns, exact method match. */
export class Router {
  private readonly routes: Route[] = [];
  private readonly sessionRoutes: SessionRoute[] = [];

  add(method: string, pattern: string, handler: RouteHandler): this {
    this.routes.push({ method: method.toUpperCase(), parts: split(pattern), handler });
    return this;
  }
  get(p: string, h: RouteHandler) {
    return this.add('GET', p, h);
  }
  post(p: string, h: RouteHandler) {
    return this.add('POST', p, h);
  }
  put(p: string, h: RouteHandler) {
    return this.add('PUT', p, h);
  }
  delete(p: string, h: RouteHandler) {
    return this.add('DELETE', p, h);
  }

  /** An interactive or streaming session: a GET with `Upgrade: walt-session` on this path. */
  session(pattern: string, handler: SessionHandler): this {
    this.sessionRoutes.push({ parts: split(pattern), handler });
    return this;
  }

  matchSession(path: string): { handler: SessionHandler; params: Record<string, string> } | undefined {
    const parts = split(path);
    for (const r of this.sessionRoutes) {
      const params = matchParts(r.parts, parts);
      if (params) return { handler: r.handler, params };
    }
    return undefined;
  }

  /** Find the handler for a request; `methodMismatch` when the path exists with another method. */
  match(method: string, path: string): { handler: RouteHandler; params: Record<string, string> } | 'methodMismatch' | undefined {
    const parts = split(path);
    let mismatch = false;
    for (const r of this.routes) {
      const params = matchParts(r.parts, parts);
      if (!params) continue;
      if (r.method === method) return { handler: r.handler, params };
      mismatch = true;
    }
    return mismatch ? 'methodMismatch' : undefined;
  }
}

function split(path: string): string[] {
  return path.split('/').filter(Boolean);
}

function matchParts(pattern: string[], parts: string[]): Record<string, string> | undefined {
  if (pattern.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i];
    if (p.startsWith(':')) {
      try {
        params[p.slice(1)] = decodeURIComponent(parts[i]);
      } catch {
        return undefined;
      }
    } else if (p !== parts[i]) return undefined;
  }
  return params;
}
