import js from '@eslint/js';
import tseslint from 'typescript-eslint';

import moduleBoundaries from './tools/eslint/module-boundaries.cjs';

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/dist/**', '.nx/**', 'coverage/**', 'data/**', 'tmp/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        __dirname: 'readonly',
        require: 'readonly',
        module: 'writable',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        fetch: 'readonly',
        AbortSignal: 'readonly',
        URL: 'readonly',
      },
    },
    plugins: { '@jwt-token': moduleBoundaries },
    rules: {
      '@jwt-token/enforce-module-boundaries': [
        'error',
        {
          depConstraints: [
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@jwt-token/auth/src/*', '@jwt-token/auth/dist/*', '**/libs/auth/src/**'],
              message:
                'Import the library through its barrel: @jwt-token/auth (or @jwt-token/auth/testing).',
            },
          ],
        },
      ],
    },
  },
  {
    // The web console's scripts run in the browser (ES modules).
    files: ['apps/auth-api/public/**/*.js'],
    languageOptions: {
      globals: Object.fromEntries(
        [
          'window',
          'document',
          'location',
          'history',
          'navigator',
          'CSS',
          'CustomEvent',
          'EventTarget',
          'Node',
          'TextDecoder',
          'TextEncoder',
          'URLSearchParams',
          'atob',
          'btoa',
          // WebCrypto and IndexedDB: the console's DPoP key (dpop.js).
          'crypto',
          'indexedDB',
        ].map((n) => [n, 'readonly']),
      ),
    },
  },
  {
    files: ['**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.spec.ts', '**/test/**/*.ts', 'bench/**/*.ts'],
    // Tests read JSON bodies of every shape, hostile ones included.
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
);
