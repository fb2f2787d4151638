const preset = require('../../jest.preset.cjs');

module.exports = {
  ...preset,
  displayName: 'auth-api',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
  // Suites start whole apps; with RS256/PS256 that includes generating two RSA keys (active and
  // pre-published next), which alone can pass Jest's 5 s default on a busy 2-core machine.
  testTimeout: 30_000,
};
