// @ts-check
import js from '@eslint/js';
import { builtinModules } from 'node:module';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

/**
 * Import directions between the layers (as VS Code checks its own):
 *   shared/   imports nothing from main/ or renderer/, no Node module, no Electron, no DOM;
 *   renderer/ never imports main/, Electron or Node;
 *   renderer/ui/ (the views) never imports the cache's writer or its internals;
 *   main/     never imports renderer/.
 * Exported so the test that proves the rules can build on them.
 */
const nodeModules = [...builtinModules, ...builtinModules.map((name) => `node:${name}`)];
const layer = (name) => ({ regex: `^(\\.\\./)+${name}(/|$)`, message: `This layer may not import from ${name}/.` });
const nodeModuleMessage = 'Node modules are available only in main/.';

const onlyIn = (env, notIn) => Object.keys(env).filter((name) => !notIn.some((other) => name in other));
const domGlobals = onlyIn(globals.browser, [globals.node, globals.es2021]);
const nodeGlobals = onlyIn(globals.node, [globals.browser, globals.es2021]);

const pageImports = {
  paths: [{ name: 'electron', message: 'The page reaches main only through the contract.' }, ...nodeModules.map((name) => ({ name, message: nodeModuleMessage }))],
  patterns: [layer('main'), { regex: '^node:', message: nodeModuleMessage }],
};
const cacheInternals = {
  regex: '(^|/)db/(writer|[a-z-]+-writer|threads|search-index|folder-counts|read-only|migrations/.*)$',
  message: 'Views read the cache through db/rows, db/queries, db/local-search, db/contacts and the read-only CacheReader; only the sync engine writes it.',
};

export const boundaryRules = [
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'shared/ runs in both processes and may not use Electron.' }, ...nodeModules.map((name) => ({ name, message: nodeModuleMessage }))],
          patterns: [layer('main'), layer('renderer'), { regex: '^node:', message: nodeModuleMessage }],
        },
      ],
      'no-restricted-globals': ['error', ...domGlobals, ...nodeGlobals].map((entry) => entry),
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': ['error', pageImports],
      'no-restricted-globals': ['error', ...nodeGlobals],
    },
  },
  {
    // The views read the cache and act through the engine: the writer and what the cache keeps behind it are not theirs.
    files: ['renderer/ui/**/*.{ts,tsx}', 'renderer/App.tsx'],
    ignores: ['**/*.test.{ts,tsx}'],
    rules: {
      'no-restricted-imports': ['error', { ...pageImports, patterns: [...pageImports.patterns, cacheInternals] }],
    },
  },
  {
    files: ['main/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [layer('renderer')] }],
    },
  },
];

export default tseslint.config(
  // out-*/: builds made with TWINBOX_OUT_DIR (parallel work, the benchmark).
  { ignores: ['out/**', 'out-*/**', 'dist/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['eslint.config.js'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'separate-type-imports' }],
      '@typescript-eslint/no-import-type-side-effects': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/ban-ts-comment': ['error', { 'ts-expect-error': 'allow-with-description', 'ts-ignore': 'allow-with-description' }],
      // Style-only; `() => resolve()` style callbacks read fine.
      '@typescript-eslint/no-confusing-void-expression': 'off',
      eqeqeq: 'error',
    },
  },
  {
    // A test that meets an absent value should fail loudly at that line; `!` does exactly that.
    files: ['test/**', '**/*.test.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Test sources are often async generators or handlers that need not await.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  { files: ['main/**', 'test/**', '*.config.*'], languageOptions: { globals: globals.node } },
  { files: ['renderer/**'], languageOptions: { globals: globals.browser } },
  // The rules of hooks and the React Compiler's checks (pure renders, no state set during render or in effects, refs read in handlers only).
  { files: ['renderer/**/*.{ts,tsx}'], ...reactHooks.configs.flat['recommended-latest'] },
  ...boundaryRules,
);
