// Flat config: @eslint/js + typescript-eslint (syntax-level rules, no type information, so it
// stays fast on a shared machine). The domain boundary rule is STYLE rule 1: src/domain is pure.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeGlobals = Object.fromEntries(
  ['process', 'console', 'Buffer', 'URL', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'structuredClone', 'fetch', 'WebAssembly'].map(
    (name) => [name, 'readonly'],
  ),
);

const domainForbidden = {
  patterns: [
    {
      group: ['@prisma/*', 'express', 'express/*', 'winston', 'zod', 'zod/*', 'node:*'],
      message: 'src/domain is pure (STYLE rule 1): no database, HTTP, logging, validation or Node I/O.',
    },
    {
      // src/domain is flat; a subfolder would need its own override to reach its parent.
      group: ['../*', '../**'],
      message: 'src/domain imports only from src/domain (STYLE rule 1).',
    },
  ],
  // Bare Node built-ins without the node: prefix are just as impure.
  paths: ['fs', 'path', 'os', 'crypto', 'child_process', 'http', 'https', 'net', 'pg', 'commander'].map(
    (name) => ({ name, message: 'src/domain is pure (STYLE rule 1).' }),
  ),
};

export default tseslint.config(
  {
    ignores: ['dist/**', 'src/generated/**', 'node_modules/**', 'coverage/**', 'data/**', 'test/artifacts/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      // Node globals for the plain .js/.mjs scripts (TypeScript files are checked by tsc).
      globals: nodeGlobals,
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // `any` is banned in src (STYLE rule 11); tests may use it sparingly at library seams.
    files: ['test/**', 'bench/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['src/domain/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', domainForbidden] },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The admin page's browser modules (type-checked by src/admin/web/static/tsconfig.json).
    files: ['src/admin/web/static/**/*.js'],
    languageOptions: {
      globals: Object.fromEntries(
        ['window', 'document', 'fetch', 'URL', 'URLSearchParams', 'sessionStorage', 'queueMicrotask', 'setTimeout', 'Node', 'Element', 'Event'].map((n) => [n, 'readonly']),
      ),
    },
  },
);
