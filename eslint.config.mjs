// Lint, and the layer rule of STYLE.md (eslint/layers.mjs): extension → host → core → api; everyone may import
// common/; webviews import only common/ and webviews/common/. Depth-free: each import is resolved to its file.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import layers from './eslint/layers.mjs';

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'media/**', 'node_modules/**', '.vscode-test/**', '.tools/**', 'test/fixtures/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'off',
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'inline-type-imports' }],
      // A focused test (`.only`, or `{ only: true }`) would silently skip the rest of the suite in CI.
      'no-restricted-syntax': ['error',
        { selector: "MemberExpression[object.name=/^(test|it|describe|suite|context)$/][property.name='only']", message: 'No .only: it skips every other test.' },
        { selector: "CallExpression[callee.name=/^(test|it|describe|suite)$/] > ObjectExpression > Property[key.name='only']", message: 'No { only: true }: it skips every other test.' },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    languageOptions: {
      globals: { require: 'readonly', module: 'writable', process: 'readonly', console: 'readonly', __dirname: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly', fetch: 'readonly', AbortController: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', performance: 'readonly', structuredClone: 'readonly', queueMicrotask: 'readonly', setImmediate: 'readonly', exports: 'writable' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { fastrouter: layers },
    rules: { 'fastrouter/layers': 'error' },
  },
);
