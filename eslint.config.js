// typescript-eslint over src/, test/, bench/, scripts/ (`npm run lint`). Syntax-level rules only:
// the type-aware presets cost minutes on this tree, and `tsc --noEmit` (strict) already checks types.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'test/golden/', 'test/fixtures/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: {
        process: 'readonly',
        Buffer: 'readonly',
        console: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        URL: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        performance: 'readonly',
        crypto: 'readonly',
        AbortController: 'readonly',
        structuredClone: 'readonly',
        queueMicrotask: 'readonly',
      },
    },
    rules: {
      // `_name` marks a parameter or binding that is there for its position (callbacks, destructuring)
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      // input validators (bridge frames, perso data, fuzz oracles) match control characters on purpose
      'no-control-regex': 'off',
    },
  },
  {
    // tests and benches drive the library from outside; a cast to reach a private field is fine there
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    // src/dms is being reworked under issue #18 (its owner); its one finding, a `let` that could be
    // `const` at server.ts, is left to that change. Remove this block when #18 has landed.
    files: ['src/dms/server.ts'],
    rules: { 'prefer-const': 'off' },
  },
);
