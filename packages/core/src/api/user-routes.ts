import { WaltError, invalid } from '../errors.js';
import { USER_NAME, type UserTokens } from '../users/user-tokens.js';
import type { Router } from './router.js';

/**
 * Tokens by trust on first use: `POST /api/v1/users/claim {name}` gives a free name its token (open:
 * the client has none yet); `GET /api/v1/users/me` says whose token a request carries.
 */
export function registerUserRoutes(router: Router, tokens: UserTokens, log: (line: string) => void): void {
  router.post('/api/v1/users/claim', (req) => {
    const name = (req.body as { name?: unknown } | undefined)?.name;
    if (typeof name !== 'string' || !USER_NAME.test(name)) {
      const text = typeof name === 'string' ? name : JSON.stringify(name ?? null);
      const shown = text.length > 40 ? `${text.slice(0, 40)}... (${text.length} characters)` : text;
      throw invalid(`invalid user name '${shown}': use at most 32 lowercase letters, digits, '_' and '-' (set WALT_USER)`);
    }
    const claimed = tokens.claim(name);
    if ('token' in claimed) {
      log(`user '${name}' claimed its token from ${req.raw.socket.remoteAddress ?? 'an unknown address'}`);
      return { user: name, token: claimed.token };
    }
    if (claimed.refused === 'admin-mode') {
      throw new WaltError('claims-closed', `this server's administrator issues the tokens: ask them for one for '${name}' (walt-server users issue ${name}), then set WALT_TOKEN`, 403);
    }
    throw new WaltError(
      'name-claimed',
      `user name '${name}' is already claimed on this server: use its token (from the ~/.walt/config where it was claimed), choose another name (WALT_USER), or ask the administrator to reset it (walt-server users reset ${name})`,
      409,
    );
  });
  router.get('/api/v1/users/me', (req) => ({ user: req.user }));
}
