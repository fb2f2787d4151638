const preset = require('../../jest.preset.cjs');

module.exports = {
  ...preset,
  displayName: 'auth-api',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
};
