import { defineConfig } from 'vitest/config';

// The plugin's own tests; @walt/sdk and @walt/sdk/testing come from node_modules (the SDK package).
export default defineConfig({
  test: { include: ['src/**/*.test.ts'] },
});
