/**
 * Native ESM mode, like the app that uses this package: the test script starts Jest with
 * --experimental-vm-modules and ts-jest emits ESM. Relative imports are written with `.js`
 * (NodeNext) but resolve to the `.ts` sources here, hence the mapper.
 * The root's `npm test` runs this file as one of its projects.
 * @type {import('jest').Config}
 */
export default {
  displayName: 'embedded-mongo',
  testEnvironment: 'node',
  rootDir: '.',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.json' }],
  },
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
  testTimeout: 30_000,
};
