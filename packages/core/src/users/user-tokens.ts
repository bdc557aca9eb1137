import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../store/database.js';
import { SettingsRepository } from '../store/settings-repository.js';

/** A WalT user name: a login name (as the client checks it), at most 32 characters (Linux's limit). */
export const USER_NAME = /^[a-z_][a-z0-9_-]{0,31}$/;

/**
 * How users get their tokens: `claim` (trust on first use: the first client to name a free user
 * gets its token) or `admin` (claims are refused; the administrator issues tokens).
 */
export type TokenMode = 'claim' | 'admin';

const MODE_KEY = 'users.token-mode';

export interface UserRow {
  name: string;
  createdAt: number;
  origin: 'claim' | 'admin';
}

export type ClaimResult = { token: string } | { refused: 'taken' | 'admin-mode' };

/**
 * Per-user API tokens: `<name>:<secret>`, the secret 32 random bytes. The database keeps only the
 * SHA-256 of the secret (a random 256-bit secret needs no slow hash: nothing to brute-force), and
 * a presented secret is compared in constant time.
 */
export class UserTokens {
  private readonly settings: SettingsRepository;
  private readonly hashOf;
  private readonly insert;
  private readonly replace;
  private readonly remove;
  private readonly all;

  constructor(db: Db) {
    this.settings = new SettingsRepository(db);
    this.hashOf = db.prepare('SELECT token_hash FROM users WHERE name = ?').pluck();
    this.insert = db.prepare('INSERT INTO users (name, token_hash, created_at, origin) VALUES (?, ?, ?, ?) ON CONFLICT(name) DO NOTHING');
    this.replace = db.prepare(
      'INSERT INTO users (name, token_hash, created_at, origin) VALUES (?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET token_hash = excluded.token_hash, created_at = excluded.created_at, origin = excluded.origin',
    );
    this.remove = db.prepare('DELETE FROM users WHERE name = ?');
    this.all = db.prepare('SELECT name, created_at AS createdAt, origin FROM users ORDER BY name');
  }

  mode(): TokenMode {
    return this.settings.get(MODE_KEY) === 'admin' ? 'admin' : 'claim';
  }

  setMode(mode: TokenMode): void {
    this.settings.set(MODE_KEY, mode);
  }

  /** Trust on first use: a free name is given a token; a claimed one keeps its own. */
  claim(name: string): ClaimResult {
    if (this.mode() === 'admin') return { refused: 'admin-mode' };
    const { token, hash } = newToken(name);
    return this.insert.run(name, hash, Date.now() / 1000, 'claim').changes === 1 ? { token } : { refused: 'taken' };
  }

  /** The administrator gives `name` a new token (the old one stops working). */
  issue(name: string): string {
    const { token, hash } = newToken(name);
    this.replace.run(name, hash, Date.now() / 1000, 'admin');
    return token;
  }

  /** Forget `name`'s token: in claim mode the next client to use the name claims it again. */
  reset(name: string): boolean {
    return this.remove.run(name).changes === 1;
  }

  list(): UserRow[] {
    return this.all.all() as UserRow[];
  }

  /** The user a token belongs to, or null (unknown name, wrong secret, malformed token). */
  owner(token: string): string | null {
    const colon = token.indexOf(':');
    if (colon < 1) return null;
    const name = token.slice(0, colon);
    if (!USER_NAME.test(name)) return null;
    const stored = this.hashOf.get(name) as string | undefined;
    if (stored === undefined) return null;
    const presented = sha256(token.slice(colon + 1));
    const expected = Buffer.from(stored, 'hex');
    return expected.length === presented.length && timingSafeEqual(expected, presented) ? name : null;
  }
}

function newToken(name: string): { token: string; hash: string } {
  const secret = randomBytes(32).toString('base64url');
  return { token: `${name}:${secret}`, hash: sha256(secret).toString('hex') };
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
