import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.ci/node24/**', 'bench/results/**', 'examples/**/node_modules/**', '.dist-*/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly',
        setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', clearImmediate: 'readonly',
        globalThis: 'readonly', performance: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly',
        URL: 'readonly', Buffer: 'readonly', queueMicrotask: 'readonly', structuredClone: 'readonly',
        WeakRef: 'readonly', FinalizationRegistry: 'readonly', MessageChannel: 'readonly', BroadcastChannel: 'readonly',
        __dirname: 'readonly', require: 'readonly', module: 'writable',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-unsafe-function-type': 'off',
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
);
