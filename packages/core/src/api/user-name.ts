import { invalid } from '../errors.js';

/** A WalT user name: a login name (as the client checks it), at most 32 characters (Linux's limit). */
const USER_NAME = /^[a-z_][a-z0-9_-]{0,31}$/;

/**
 * The user a request names (header X-Walt-User), checked before any handler sees it: a name that
 * cannot be a user (an 8,000-character one made an image route fail with a 500) is refused in one
 * line. Absent or empty: null.
 */
export function requestUserName(header: string | string[] | undefined): string | null {
  if (typeof header !== 'string' || !header) return null;
  if (!USER_NAME.test(header)) {
    const shown = header.length > 40 ? `${header.slice(0, 40)}... (${header.length} characters)` : header;
    throw invalid(`invalid user name '${shown}': use at most 32 lowercase letters, digits, '_' and '-' (set WALT_USER)`);
  }
  return header;
}
