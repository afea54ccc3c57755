import { appProject } from './jest.config.js';

/**
 * Suites that need a real Redis (REDIS_URL, default redis://127.0.0.1:6379): two app
 * processes sharing one Redis and one database, and the Redis RoomRegistry contract.
 * @type {import('jest').Config}
 */
export default {
  ...appProject,
  testMatch: ['<rootDir>/test/integration/**/*.int-spec.ts'],
  testTimeout: 60_000,
};
