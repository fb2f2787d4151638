'use strict';
// A fresh Nest app in plain CommonJS JavaScript, on Express, that installed @jwt-token/auth from
// its tarball and serves it over other transports than REST: GraphQL with the Apollo driver, and
// a socket.io gateway behind the library's AuthIoAdapter.
// The decorators are applied as functions (plain JavaScript has no decorator syntax).
// Configuration comes from the environment: AUTH_ISSUER, AUTH_AUDIENCE, AUTH_JWKS_URI.
require('reflect-metadata');
const { Module } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { ApolloDriver } = require('@nestjs/apollo');
const {
  Args,
  Field,
  GraphQLModule,
  Mutation,
  ObjectType,
  Query,
  Resolver,
} = require('@nestjs/graphql');
const { SubscribeMessage, WebSocketGateway } = require('@nestjs/websockets');
const { AuthModule, CurrentUser, Public, Roles, Scopes } = require('@jwt-token/auth');
const { AuthIoAdapter } = require('@jwt-token/auth/socket.io');

/** `@decorators` on a method, as TypeScript would emit them. */
function decorateMethod(target, name, decorators) {
  const descriptor = Object.getOwnPropertyDescriptor(target.prototype, name);
  Object.defineProperty(
    target.prototype,
    name,
    Reflect.decorate(decorators, target.prototype, name, descriptor),
  );
}

class Viewer {}
Field(() => String)(Viewer.prototype, 'sub');
Field(() => [String])(Viewer.prototype, 'roles');
Reflect.decorate([ObjectType()], Viewer);

class AccountResolver {
  hello() {
    return 'hello';
  }

  viewer(user) {
    return { sub: user.sub, roles: user.roles };
  }

  report() {
    return 'quarterly figures';
  }

  promote(email, by) {
    return `${email} promoted by ${by}`;
  }
}
Reflect.decorate([Resolver()], AccountResolver);
decorateMethod(AccountResolver, 'hello', [Public(), Query(() => String)]);
CurrentUser()(AccountResolver.prototype, 'viewer', 0);
decorateMethod(AccountResolver, 'viewer', [Query(() => Viewer)]);
decorateMethod(AccountResolver, 'report', [Scopes('reports:read'), Query(() => String)]);
// What TypeScript's emitDecoratorMetadata would record, and @Args reads.
Reflect.defineMetadata('design:paramtypes', [String, String], AccountResolver.prototype, 'promote');
Args('email', { type: () => String })(AccountResolver.prototype, 'promote', 0);
CurrentUser('sub')(AccountResolver.prototype, 'promote', 1);
decorateMethod(AccountResolver, 'promote', [Roles('admin'), Mutation(() => String)]);

class NewsGateway {
  whoami(user) {
    return { event: 'whoami', data: user.sub };
  }

  announce(sub) {
    return { event: 'announced', data: `announced by ${sub}` };
  }
}
Reflect.decorate([WebSocketGateway()], NewsGateway);
CurrentUser()(NewsGateway.prototype, 'whoami', 0);
decorateMethod(NewsGateway, 'whoami', [SubscribeMessage('whoami')]);
CurrentUser('sub')(NewsGateway.prototype, 'announce', 0);
decorateMethod(NewsGateway, 'announce', [Roles('admin'), SubscribeMessage('announce')]);

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
        GraphQLModule.forRoot({ driver: ApolloDriver, autoSchemaFile: true }),
      ],
      providers: [AccountResolver, NewsGateway],
    }),
  ],
  AppModule,
);

async function main() {
  const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
  app.useWebSocketAdapter(new AuthIoAdapter(app));
  await app.listen(0, '127.0.0.1');
  process.once('SIGTERM', () => {
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
  const libraryPath = require.resolve('@jwt-token/auth');
  const fromLibrary = require('node:module').createRequire(libraryPath);
  process.stdout.write(
    JSON.stringify({
      ready: true,
      port: app.getHttpServer().address().port,
      moduleSystem: 'commonjs',
      resolved: {
        '@jwt-token/auth': libraryPath,
        '@nestjs/graphql': require.resolve('@nestjs/graphql'),
        '@jwt-token/auth/socket.io': require.resolve('@jwt-token/auth/socket.io'),
        'socket.io': require.resolve('socket.io'),
        'peer @nestjs/common': fromLibrary.resolve('@nestjs/common'),
      },
      testingExports: [],
    }) + '\n',
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
