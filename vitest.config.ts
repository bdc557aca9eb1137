import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/**
 * Tests whose servers run nfs-ganesha with rpcbind. rpcbind's socket and lock in /run are shared by
 * every network namespace, so two of them at once cross-register mountd and a booting node's NFS
 * mount fails ("NFS over TCP not available"): they run after the others, one file at a time.
 */
const NFS_DAEMON_TESTS = ['test/integration/netboot/real-os-*.test.ts', 'test/integration/netboot/ganesha-daemon.test.ts', 'test/integration/netboot/nfs.test.ts'];
const EXCLUDED = ['**/node_modules/**', '**/dist/**'];
const ALL_TESTS = ['packages/**/src/**/*.test.ts', 'examples/**/src/**/*.test.ts', 'test/**/*.test.ts'];

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@walt\/sdk\/testing$/, replacement: src('./packages/sdk/src/testing/index.ts') },
      { find: /^@walt\/sdk\/dhcp$/, replacement: src('./packages/sdk/src/dhcp/index.ts') },
      { find: /^@walt\/sdk$/, replacement: src('./packages/sdk/src/index.ts') },
    ],
  },
  test: {
    exclude: EXCLUDED,
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
    projects: [
      { extends: true, test: { name: 'main', include: ALL_TESTS, exclude: NFS_DAEMON_TESTS, sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: 'nfs-daemons', include: NFS_DAEMON_TESTS, fileParallelism: false, sequence: { groupOrder: 1 } } },
    ],
  },
} as Parameters<typeof defineConfig>[0]);
