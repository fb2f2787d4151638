const preset = require('../../jest.preset.cjs');

module.exports = {
  ...preset,
  displayName: 'console-e2e',
  rootDir: __dirname,
  testMatch: ['<rootDir>/test/**/*.spec.ts'],
  // A real process and a real browser: give them room, one suite at a time.
  testTimeout: 60_000,
  maxWorkers: 1,
};
