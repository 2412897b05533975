import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';
import svelteConfig from './svelte.config.js';

export default ts.config(
  { ignores: ['dist/', 'node_modules/', 'test/fixtures/', 'static/'] },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs.recommended,
  prettier,
  ...svelte.configs.prettier,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: {
        projectService: true,
        extraFileExtensions: ['.svelte'],
        parser: ts.parser,
        svelteConfig,
      },
    },
  },
  ...layers(),
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
);

/**
 * The direction of imports is the architecture: ui → state → (engines, storage, workers, ingest) →
 * core. Each zone lists what a layer must not import, statically or with `import()`; a wrong
 * import fails `npm run lint`.
 * @returns {import('eslint').Linter.Config[]}
 */
function layers() {
  const libraries = [
    'idb',
    '@huggingface/transformers',
    '@mlc-ai/web-llm',
    '@wllama/wllama',
    'onnxruntime-web',
    'pdfjs-dist',
    'mammoth',
    'htmlparser2',
  ];
  /**
   * @param {string[]} files
   * @param {string[]} folders
   * @param {string[]} packages
   * @param {string} why
   * @returns {import('eslint').Linter.Config}
   */
  const zone = (files, folders, packages, why) => {
    const message = `${why} (see DEVELOPERS.md, Architecture)`;
    const escape = (/** @type {string} */ name) => name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    const dynamic = [
      ...folders.map((name) => `(^|\\/)${name}\\/`),
      ...packages.map((name) => `^${escape(name)}($|\\/)`),
    ].join('|');
    return {
      files,
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              ...folders.map((name) => ({ group: [`**/${name}/**`, `**/${name}`], message })),
              ...packages.map((name) => ({ group: [name, `${name}/**`], message })),
            ],
          },
        ],
        'no-restricted-syntax': [
          'error',
          { selector: `ImportExpression[source.value=/${dynamic}/]`, message },
        ],
      },
    };
  };
  return [
    zone(
      ['src/lib/core/**'],
      ['engines', 'workers', 'state', 'storage', 'ui', 'ingest'],
      [...libraries, 'svelte'],
      'core is pure TypeScript: it imports no other layer and no engine, storage or UI library',
    ),
    {
      files: ['src/lib/core/**'],
      rules: {
        'no-restricted-globals': [
          'error',
          ...['window', 'document', 'navigator', 'localStorage', 'indexedDB', 'location'].map(
            (name) => ({
              name,
              message: 'core runs anywhere: pass in what it needs from the page',
            }),
          ),
        ],
      },
    },
    zone(
      ['src/lib/engines/**'],
      ['workers', 'state', 'storage', 'ui', 'ingest'],
      [],
      'engines are handed a worker starter and know nothing of the app above them',
    ),
    zone(
      ['src/lib/storage/**', 'src/lib/ingest/**'],
      ['engines', 'workers', 'state', 'ui'],
      [],
      'storage and ingest sit on core only',
    ),
    zone(['src/lib/workers/**'], ['state', 'ui'], [], 'workers do not reach up into the page'),
    zone(['src/lib/state/**'], ['ui'], [], 'state does not import components'),
    zone(
      ['src/lib/ui/**'],
      ['engines', 'workers', 'storage', 'ingest'],
      libraries,
      'components read state; engines, workers and storage are reached through it',
    ),
  ];
}
