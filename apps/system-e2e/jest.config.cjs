const preset = require('../../jest.preset.cjs');

module.exports = {
  ...preset,
  displayName: 'system-e2e',
  rootDir: __dirname,
  testMatch: ['<rootDir>/test/**/*.spec.ts'],
  // Real processes: give start-up and shutdown room, and never run suites side by side.
  testTimeout: 60_000,
  maxWorkers: 1,
};
