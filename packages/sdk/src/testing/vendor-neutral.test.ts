import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Issue 11: a third-party switch driver uses the test kit without changing the SDK, so the SDK names
 * no switch vendor: vendor OIDs and tables come in a SwitchProfile from the driver's own package.
 */
describe('the SDK knows no switch vendor', () => {
  it('no file of @walt/sdk (tests aside) names one', () => {
    const root = join(import.meta.dirname, '..');
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [join(dir, e.name)] : []));
    const all = files(root);
    expect(all.length).toBeGreaterThan(10);
    const named = all.filter((f) => /zyxel|netgear|tp-?link|cisco|juniper|\b890\b|4526|11863/i.test(readFileSync(f, 'utf8')));
    expect(named).toEqual([]);
  });
});
