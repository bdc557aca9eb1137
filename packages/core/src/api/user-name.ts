import type { IncomingHttpHeaders } from 'node:http';
import { WaltError } from '../errors.js';
import type { UserTokens } from '../users/user-tokens.js';

/** What must answer without a token: the version check and the claim of a token itself. */
const OPEN_ROUTES = new Set(['GET /api/v1/version', 'POST /api/v1/users/claim']);

export function isOpenRoute(method: string, path: string): boolean {
  return OPEN_ROUTES.has(`${method} ${path.replace(/\/+$/, '')}`);
}

/**
 * The one place that decides who a request acts for: the owner of the token it carries
 * (`Authorization: Bearer <user>:<secret>`), never a name the client states. Every API route
 * (JSON, streams, upgrades) gets its user here; a request without a valid token is answered 401
 * with a one-line message the client turns into advice. Open routes (isOpenRoute) get null.
 */
export function requestUserName(method: string, path: string, headers: IncomingHttpHeaders, tokens: UserTokens): string | null {
  if (isOpenRoute(method, path)) return null;
  const header = headers.authorization;
  const token = typeof header === 'string' && /^Bearer /i.test(header) ? header.slice(7).trim() : '';
  if (!token) {
    throw new WaltError('no-token', 'this request carries no WalT token: use the walt client, which gets one for your user name on first use (walt help show security)', 401);
  }
  const user = tokens.owner(token);
  if (user === null) {
    const named = /^([a-z_][a-z0-9_-]{0,31}):/.exec(token)?.[1];
    throw new WaltError(
      'bad-token',
      `the token${named ? ` of user '${named}'` : ''} is not valid on this server (reset by its administrator, or from another server): see walt help show security`,
      401,
    );
  }
  return user;
}
