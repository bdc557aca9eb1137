import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** The globals of Node >= 20 that plain .js/.mjs files (scripts, benchmarks) use. TypeScript files are checked by tsc instead. */
const nodeGlobals = Object.fromEntries(
  [
    'globalThis', 'process', 'console', 'Buffer', 'URL', 'URLSearchParams',
    'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate', 'queueMicrotask',
    'structuredClone', 'fetch', 'Request', 'Response', 'Headers', 'FormData', 'Blob',
    'AbortController', 'AbortSignal', 'TextEncoder', 'TextDecoder', 'performance', 'crypto',
    'EventTarget', 'Event', 'DOMException',
  ].map((name) => [name, 'readonly']),
);

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'test/.tmp/**', '**/*.d.ts', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: nodeGlobals },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  {
    // CommonJS entry points (the native addon's loader).
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { ...nodeGlobals, require: 'readonly', module: 'writable' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // tsc already reports unknown names, with the types in mind.
    files: ['**/*.ts'],
    rules: { 'no-undef': 'off' },
  },
  {
    // Tests read untyped JSON answers.
    files: ['**/*.test.ts', 'test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
