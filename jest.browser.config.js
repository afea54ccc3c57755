import { appProject } from './jest.config.js';

/**
 * Browser end-to-end suites: Debian's Chromium (/usr/bin/chromium, or CHROMIUM_PATH) driven by
 * playwright-core with fake camera and microphone, against the whole app.
 * @type {import('jest').Config}
 */
export default {
  ...appProject,
  testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'],
  testTimeout: 120_000,
};
