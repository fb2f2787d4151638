// A GraphQL service on Mercurius (Fastify), guarded by the built library: the same resolver twice,
// `article` behind the global JwtAuthGuard and RolesGuard (@Roles('user')), `publicArticle`
// @Public(). The pair measures what the guard costs a GraphQL query (row 3g); nothing else
// differs between the two.
//
// Plain JavaScript with the decorators applied by hand (no TypeScript build), as the docs-recipe
// peer does.
//
//   PORT=… BENCH_ISSUER=… BENCH_JWKS_URI=… node bench/graphql-server.mjs
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Field, GraphQLModule, ID, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { MercuriusDriver } from '@nestjs/mercurius';
import { FastifyAdapter } from '@nestjs/platform-fastify';

import { AuthModule, Public, Roles } from '@jwt-token/auth';

const issuer = process.env.BENCH_ISSUER;
const jwksUri = process.env.BENCH_JWKS_URI;
if (!issuer || !jwksUri) {
  process.stderr.write('graphql-server: BENCH_ISSUER and BENCH_JWKS_URI are required\n');
  process.exit(1);
}

function decorateMethod(target, name, ...decorators) {
  const descriptor = Object.getOwnPropertyDescriptor(target.prototype, name);
  Reflect.decorate(decorators, target.prototype, name, descriptor);
}

class Article {}
Field(() => ID)(Article.prototype, 'id');
Field(() => String)(Article.prototype, 'title');
ObjectType('Article')(Article);

const ARTICLE = { id: '1', title: 'Hello' };

class ArticleResolver {
  article() {
    return ARTICLE;
  }

  publicArticle() {
    return ARTICLE;
  }
}
decorateMethod(
  ArticleResolver,
  'article',
  Roles('user'),
  Query(() => Article),
);
decorateMethod(
  ArticleResolver,
  'publicArticle',
  Public(),
  Query(() => Article),
);
Resolver(() => Article)(ArticleResolver);

class AppModule {}
Module({
  imports: [
    AuthModule.forRoot({
      issuer,
      audience: process.env.BENCH_AUDIENCE ?? 'resource-api',
      jwksUri,
      algorithms: ['ES256'],
    }),
    GraphQLModule.forRoot({ driver: MercuriusDriver, autoSchemaFile: true, graphiql: false }),
  ],
  providers: [ArticleResolver],
})(AppModule);

const app = await NestFactory.create(AppModule, new FastifyAdapter(), { logger: ['error'] });
app.enableShutdownHooks();
await app.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1');
