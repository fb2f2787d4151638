// A fresh Nest app in plain ESM JavaScript that installed @jwt-token/auth from its tarball.
// The package is CommonJS: these named imports go through Node's CommonJS interop.
// Plain JavaScript has no decorator syntax, so the decorators are applied as functions.
// Configuration comes from the environment: AUTH_ISSUER, AUTH_AUDIENCE, AUTH_JWKS_URI.
import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AuthModule, CurrentUser, Public, Roles } from '@jwt-token/auth';
import * as testing from '@jwt-token/auth/testing';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

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

const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
await app.listen(0, '127.0.0.1');
process.once('SIGTERM', () => {
  app.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
const resolve = (specifier) => fileURLToPath(import.meta.resolve(specifier));
const fromLibrary = createRequire(resolve('@jwt-token/auth'));
// One line for the test: where everything resolved, and the port.
process.stdout.write(
  JSON.stringify({
    ready: true,
    port: app.getHttpServer().address().port,
    moduleSystem: typeof require === 'undefined' ? 'esm' : 'unknown',
    resolved: {
      '@jwt-token/auth': resolve('@jwt-token/auth'),
      '@jwt-token/auth/testing': resolve('@jwt-token/auth/testing'),
      '@nestjs/core': resolve('@nestjs/core'),
      // The library's peers, as the library itself finds them: the app's copies.
      'peer @nestjs/common': fromLibrary.resolve('@nestjs/common'),
      'peer @nestjs/passport': fromLibrary.resolve('@nestjs/passport'),
      'peer passport-jwt': fromLibrary.resolve('passport-jwt'),
    },
    testingExports: Object.keys(testing)
      .filter((name) => name !== 'default' && name !== '__esModule')
      .sort(),
  }) + '\n',
);
