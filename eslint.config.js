import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'src/db/generated/',
      'packages/contracts/src/generated/',
      'out/',
      'cache/',
      '**/dist/',
      '.custos/',
      'scripts/solc.cjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // The audit explorer's script runs in the reader's browser.
    files: ['web/**/*.js'],
    languageOptions: { globals: globals.browser },
  },
  {
    // The examples: Node scripts, and the browser example's page script.
    files: ['examples/**/*.js'],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['examples/browser-holder/src/**/*.js'],
    languageOptions: { globals: globals.browser },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
);
