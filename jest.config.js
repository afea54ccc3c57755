/**
 * The app's suites. Jest runs in native ESM mode (NestJS 12 packages are ES modules): the test
 * scripts start it with --experimental-vm-modules, and ts-jest emits ESM.
 * @type {import('jest').Config}
 */
export const appProject = {
  displayName: 'app',
  testEnvironment: 'node',
  rootDir: import.meta.dirname,
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.json' }],
  },
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
};

/**
 * `npm test`: the app's suites, then each workspace package's with that package's own Jest
 * config. Jest reads testTimeout from this top-level config only, for every project.
 * @type {import('jest').Config}
 */
export default {
  projects: [appProject, '<rootDir>/packages/embedded-mongo'],
  testTimeout: 30_000,
  collectCoverageFrom: [
    'src/**/*.ts',
    '!src/**/*.spec.ts',
    '!src/main.ts',
    'packages/*/src/**/*.ts',
    '!packages/*/src/**/*.spec.ts',
  ],
  coverageDirectory: 'coverage',
};
