// Type-aware linting: the rules that catch real bugs in async Nest code (floating or misused
// promises, non-exhaustive switches, loose equality), zero warnings allowed.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/*
 * Guardrails that keep the shape of ../ARCHITECTURE.md (test/lint-guardrails.e2e-spec.ts proves
 * each one fires). Change a rule in the open when it is in the way; never silence it per line.
 */
/** HTTP and Socket.IO, their subpaths and companions (express-serve-static-core, ...). */
const TRANSPORT_PACKAGES = [
  'express',
  'express/*',
  'express-*',
  'socket.io',
  'socket.io/*',
  'socket.io-*',
  '@socket.io/*',
  '@nestjs/platform-*',
  '@nestjs/websockets',
  '@nestjs/websockets/*',
];
const RULES_STAY_OFF_THE_WIRE =
  'Services and rules never import HTTP or Socket.IO: return results, let controllers, gateways and the RoomNotifier talk to clients.';
const NO_MODELS_IN_TRANSPORT =
  'Controllers and gateways never touch Mongoose models: call a service or a repository.';
const OPTIONAL_BUT_NOT_NULL =
  'IsOptional() lets null through as well as undefined, unchecked: use IsOptionalButNotNull() (src/common/optional-not-null.decorator.ts).';
const ENV_ONLY_IN_CONFIG =
  "Only src/config/ reads the environment: add a reader to your area's *.config.ts and get it from ConfigService.";

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'dist-bench/',
      'dist-check/',
      'coverage/',
      'data/',
      'node_modules/',
      'public/vendor/',
      'packages/*/dist/',
      'packages/*/dist-bench/',
      'packages/*/coverage/',
      'packages/*/data/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      // Each file is checked with the nearest tsconfig.json: packages/*/tsconfig.json for a
      // workspace package's sources, tests and benchmarks.
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      eqeqeq: ['error', 'always'],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-extraneous-class': 'off',
    },
  },
  {
    files: [
      'src/**/*.service.ts',
      'src/**/*.repository.ts',
      'src/signaling/call/**/*.ts',
      'src/signaling/rooms/**/*.ts',
      'src/signaling/chat/**/*.ts',
      'src/signaling/protocol/**/*.ts',
    ],
    rules: {
      // A rule of its own (not the core no-restricted-imports of the transport block below), so
      // a file matched by both blocks keeps both bans: flat config lets a later block replace an
      // earlier block's options for the same rule.
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ group: TRANSPORT_PACKAGES, message: RULES_STAY_OFF_THE_WIRE }] },
      ],
    },
  },
  {
    files: ['src/**/*.controller.ts', 'src/**/*.gateway.ts', 'src/signaling/transport/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['mongoose', '@nestjs/mongoose'].map((name) => ({
            name,
            message: NO_MODELS_IN_TRANSPORT,
          })),
          patterns: [
            { group: ['**/schemas/*', '**/*.schema.js'], message: NO_MODELS_IN_TRANSPORT },
          ],
        },
      ],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/config/**'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: ENV_ONLY_IN_CONFIG },
      ],
      'no-restricted-syntax': [
        'error',
        // `import { env } from 'node:process'`, `import * as p from 'process'`: the global
        // process serves everything else (exit, signals, hrtime).
        {
          selector: 'ImportDeclaration[source.value=/^(node:)?process$/]',
          message: ENV_ONLY_IN_CONFIG,
        },
        {
          selector: "MemberExpression[property.name='env'][object.property.name='process']",
          message: ENV_ONLY_IN_CONFIG,
        },
        {
          selector:
            "ImportDeclaration[source.value='class-validator'] > ImportSpecifier[imported.name='IsOptional']",
          message: OPTIONAL_BUT_NOT_NULL,
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.contract.ts', 'test/**/*.ts', 'packages/*/test/**/*.ts'],
    rules: {
      // expect(...) matchers are typed as any by @types/jest.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['public/**/*.js'],
    languageOptions: { sourceType: 'module', globals: { ...globals.browser } },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } },
  },
  prettier,
);
