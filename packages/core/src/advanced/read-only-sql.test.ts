import { describe, expect, it } from 'vitest';
import { readOnlyRefusal } from './read-only-sql.js';

describe('readOnlyRefusal', () => {
  it('lets read-only statements through and refuses writes, ATTACH and DETACH', () => {
    expect(readOnlyRefusal('SELECT * FROM devices', true)).toBeUndefined();
    expect(readOnlyRefusal('DELETE FROM devices', false)).toContain("'DELETE' statements are refused");
    expect(readOnlyRefusal("/* x */ -- y\n attach '/etc/x' as y", true)).toContain("'ATTACH' statements are refused");
    expect(readOnlyRefusal('DETACH y', true)).toContain('read-only');
  });
});
