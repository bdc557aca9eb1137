import { execFileSync } from 'node:child_process';

/**
 * Integration tests that need root, a Debian package or a daemon say so here. Outside CI a missing
 * prerequisite skips the test (with the reason); under CI=true it fails the run instead, because
 * .ci/run installs and starts everything the tests need.
 */
export function missingPrerequisites(needs: { root?: boolean; commands?: string[]; files?: string[] }): string[] {
  const missing: string[] = [];
  if (needs.root && process.getuid?.() !== 0) missing.push('root');
  for (const c of needs.commands ?? []) {
    try {
      execFileSync('sh', ['-c', `command -v ${c}`], { stdio: 'ignore' });
    } catch {
      missing.push(`command ${c}`);
    }
  }
  for (const f of needs.files ?? []) {
    try {
      execFileSync('test', ['-e', f]);
    } catch {
      missing.push(`file ${f}`);
    }
  }
  return missing;
}

/**
 * Use as `describe.skipIf(skipUnless({...}))(...)`: returns true (skip) when something is missing and
 * we are not in CI; throws under CI=true so the suite fails loudly.
 */
export function skipUnless(needs: { root?: boolean; commands?: string[]; files?: string[] }): boolean {
  const missing = missingPrerequisites(needs);
  if (!missing.length) return false;
  if (process.env.CI === 'true') throw new Error(`CI is missing test prerequisites: ${missing.join(', ')}`);
  console.warn(`skipping: missing ${missing.join(', ')}`);
  return true;
}
