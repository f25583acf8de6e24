// Lint, and the layer rule of STYLE.md: host → chat → api, webview → protocol, host → protocol; costview → costViewProtocol.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const noVscode = { name: 'vscode', message: 'Only src/host/** and src/extension.ts may import vscode (layer rule).' };

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'media/**', 'node_modules/**', '.vscode-test/**', '.tools/**', 'test/fixtures/**'] },
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
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    languageOptions: {
      globals: { require: 'readonly', module: 'writable', process: 'readonly', console: 'readonly', __dirname: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly', fetch: 'readonly', AbortController: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', performance: 'readonly', structuredClone: 'readonly', queueMicrotask: 'readonly', setImmediate: 'readonly', exports: 'writable' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['src/api/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [noVscode],
        patterns: [{ group: ['../chat/*', '../host/*', '../webview/*', '../protocol', '../extension'], message: 'api/ depends on nothing else in src (layer rule).' }],
      }],
    },
  },
  {
    files: ['src/chat/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [noVscode],
        patterns: [{ group: ['../host/*', '../webview/*', '../extension'], message: 'chat/ may import only api/ and protocol (layer rule).' }],
      }],
    },
  },
  {
    files: ['src/tokenCount.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [noVscode],
        patterns: [{ group: ['./*', '../*', 'node:*'], message: 'tokenCount.ts stands alone: the host and the chat webview both bundle it.' }],
      }],
    },
  },
  {
    files: ['src/costViewProtocol.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [noVscode],
        patterns: [{ group: ['./*'], message: 'costViewProtocol.ts stands alone: host and cost view both import it.' }],
      }],
    },
  },
  {
    files: ['src/costview/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [noVscode],
        patterns: [{ group: ['../*', '!../costViewProtocol'], message: 'The cost view talks to the host only through costViewProtocol.ts (layer rule).' }],
      }],
    },
  },
  {
    files: ['src/protocol.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [noVscode],
        patterns: [{ group: ['./*', '!./protocol'], message: 'protocol.ts stands alone: host and webview both import it.' }],
      }],
    },
  },
  {
    files: ['src/webview/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [noVscode],
        patterns: [{ group: ['../api/*', '../chat/*', '../host/*', '../extension', '../api', '../chat', '../host', '../costview/*', '../costViewProtocol'], message: 'The webview talks to the host only through protocol.ts (layer rule).' }],
      }],
    },
  },
);
