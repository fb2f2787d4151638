'use strict';
// A fresh Nest app in plain CommonJS JavaScript that installed @jwt-token/auth from its tarball.
// Plain JavaScript has no decorator syntax, so the decorators are applied as functions.
// Configuration comes from the environment: AUTH_ISSUER, AUTH_AUDIENCE, AUTH_JWKS_URI.
require('reflect-metadata');
const { Controller, Get, Module } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { AuthModule, CurrentUser, Public, Roles } = require('@jwt-token/auth');
const testing = require('@jwt-token/auth/testing');

/** `@decorators` on a method, as TypeScript would emit them. */
function decorateMethod(target, name, decorators) {
  const descriptor = Object.getOwnPropertyDescriptor(target.prototype, name);
  Object.defineProperty(
    target.prototype,
    name,
    Reflect.decorate(decorators, target.prototype, name, descriptor),
  );
}

class HealthController {
  health() {
    return { status: 'ok' };
  }
}
Reflect.decorate([Controller('health'), Public()], HealthController);
decorateMethod(HealthController, 'health', [Get()]);

class AccountController {
  me(user) {
    return { sub: user.sub, roles: user.roles };
  }

  admin(sub) {
    return { admin: true, sub };
  }
}
Reflect.decorate([Controller()], AccountController);
CurrentUser()(AccountController.prototype, 'me', 0);
decorateMethod(AccountController, 'me', [Get('me')]);
CurrentUser('sub')(AccountController.prototype, 'admin', 0);
decorateMethod(AccountController, 'admin', [Roles('admin'), Get('admin')]);

class AppModule {}
Reflect.decorate(
  [
    Module({
      imports: [
        AuthModule.forRoot({
          issuer: process.env.AUTH_ISSUER,
          audience: process.env.AUTH_AUDIENCE,
          jwksUri: process.env.AUTH_JWKS_URI,
        }),
      ],
      controllers: [HealthController, AccountController],
    }),
  ],
  AppModule,
);

async function main() {
  const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
  await app.listen(0, '127.0.0.1');
  process.once('SIGTERM', () => {
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
  const libraryPath = require.resolve('@jwt-token/auth');
  const fromLibrary = require('node:module').createRequire(libraryPath);
  // One line for the test: where everything resolved, and the port.
  process.stdout.write(
    JSON.stringify({
      ready: true,
      port: app.getHttpServer().address().port,
      moduleSystem: typeof module === 'object' ? 'commonjs' : 'unknown',
      resolved: {
        '@jwt-token/auth': libraryPath,
        '@jwt-token/auth/testing': require.resolve('@jwt-token/auth/testing'),
        '@nestjs/core': require.resolve('@nestjs/core'),
        // The library's peers, as the library itself finds them: the app's copies.
        'peer @nestjs/common': fromLibrary.resolve('@nestjs/common'),
        'peer @nestjs/passport': fromLibrary.resolve('@nestjs/passport'),
        'peer passport-jwt': fromLibrary.resolve('passport-jwt'),
      },
      testingExports: Object.keys(testing).sort(),
    }) + '\n',
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
