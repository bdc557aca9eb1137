import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  // tsyringe parameter decorators need the legacy decorator transform.
  oxc: { decorator: { legacy: true } },
  resolve: {
    alias: [
      { find: /^@walt\/sdk\/testing$/, replacement: src('./packages/sdk/src/testing/index.ts') },
      { find: /^@walt\/sdk$/, replacement: src('./packages/sdk/src/index.ts') },
    ],
  },
  test: {
    include: ['packages/**/src/**/*.test.ts', 'examples/**/src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores: integration tests spawn servers and daemons; keep parallelism modest.
    maxWorkers: 2,
    // Servers started by tests leave the host's interfaces alone (no walt-net bridge on the host);
    // the tests of the interface set-up clear it and run the server in a namespace of their own.
    env: { WALT_SKIP_NETWORK_SETUP: '1' },
    // ...and what they send to that walt-net never leaves the machine (see the file).
    globalSetup: ['test/helpers/walt-net-fence.ts'],
  },
} as Parameters<typeof defineConfig>[0]);
