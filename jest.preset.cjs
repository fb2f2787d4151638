// Shared Jest settings. NestJS 12 and jose ship ESM only, and Jest on Node 20 cannot require()
// ESM, so those packages are transformed to CommonJS by SWC along with our own TypeScript.
const path = require('node:path');

const esmPackages = [
  '@nestjs',
  'jose',
  'file-type',
  'strtok3',
  'token-types',
  '@tokenizer',
  '@borewit',
  'uint8array-extras',
  '@standard-schema',
  'content-disposition',
  // openid-client (a dev dependency driving auth-api in the e2e tests) and its OAuth core.
  'openid-client',
  'oauth4webapi',
  // GraphQL e2e tests: mercurius loads its LRU (ESM) with import(), which Jest's CommonJS
  // runtime refuses unless SWC turns it into require().
  'mercurius',
  'quick-lru',
];

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.(t|j|mj|cj)s$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  transformIgnorePatterns: [`node_modules/(?!(${esmPackages.join('|')})/)`],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  moduleNameMapper: {
    '^@jwt-token/auth$': path.join(__dirname, 'libs/auth/src/index.ts'),
    '^@jwt-token/auth/testing$': path.join(__dirname, 'libs/auth/src/testing/index.ts'),
    '^@jwt-token/auth/socket\\.io$': path.join(__dirname, 'libs/auth/src/socket.io/index.ts'),
    '^@jwt-token/auth/ws$': path.join(__dirname, 'libs/auth/src/ws/index.ts'),
    '^@jwt-token/service-kit$': path.join(__dirname, 'libs/service-kit/src/index.ts'),
  },
};
