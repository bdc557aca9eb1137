import { describe, expect, it } from 'vitest';
import { openDatabase } from '../store/database.js';
import { UserTokens } from './user-tokens.js';

describe('UserTokens', () => {
  const fresh = () => {
    const db = openDatabase(':memory:');
    return { db, tokens: new UserTokens(db) };
  };

  it('gives a free name a token once (trust on first use); the token names its owner', () => {
    const { tokens } = fresh();
    const first = tokens.claim('alice');
    expect(first).toEqual({ token: expect.stringMatching(/^alice:[A-Za-z0-9_-]{43}$/) });
    expect(tokens.claim('alice')).toEqual({ refused: 'taken' });
    expect(tokens.owner((first as { token: string }).token)).toBe('alice');
  });

  it('keeps only a hash: the database never holds the secret', () => {
    const { db, tokens } = fresh();
    const { token } = tokens.claim('bob') as { token: string };
    const stored = JSON.stringify(db.prepare('SELECT * FROM users').all());
    expect(stored).not.toContain(token.split(':')[1]);
    expect(stored).toMatch(/"token_hash":"[0-9a-f]{64}"/);
  });

  it('refuses forged, truncated, other-user and malformed tokens', () => {
    const { tokens } = fresh();
    const { token } = tokens.claim('alice') as { token: string };
    tokens.claim('bob');
    const secret = token.split(':')[1];
    for (const bad of [`bob:${secret}`, `alice:${secret.slice(1)}`, `alice:${secret}x`, 'alice:', ':x', secret, '', `ALICE:${secret}`, `${'a'.repeat(8000)}:${secret}`]) {
      expect(tokens.owner(bad), bad.slice(0, 50)).toBeNull();
    }
  });

  it('reset forgets a token (the name can be claimed again); issue replaces it; admin mode refuses claims', () => {
    const { tokens } = fresh();
    const { token } = tokens.claim('alice') as { token: string };
    expect(tokens.reset('alice')).toBe(true);
    expect(tokens.owner(token)).toBeNull();
    expect(tokens.reset('alice')).toBe(false);
    tokens.setMode('admin');
    expect(tokens.claim('alice')).toEqual({ refused: 'admin-mode' });
    const issued = tokens.issue('alice');
    expect(tokens.owner(issued)).toBe('alice');
    const reissued = tokens.issue('alice');
    expect(tokens.owner(issued)).toBeNull();
    expect(tokens.owner(reissued)).toBe('alice');
    expect(tokens.list()).toEqual([{ name: 'alice', createdAt: expect.any(Number), origin: 'admin' }]);
    tokens.setMode('claim');
    expect(tokens.mode()).toBe('claim');
  });
});
