const preset = require('../../jest.preset.cjs');

module.exports = {
  ...preset,
  displayName: 'package-e2e',
  rootDir: __dirname,
  testMatch: ['<rootDir>/test/**/*.spec.ts'],
  // npm pack, an offline npm install and two real Nest processes: room for a slow machine.
  testTimeout: 60_000,
  maxWorkers: 1,
};
