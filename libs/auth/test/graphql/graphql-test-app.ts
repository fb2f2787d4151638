import type { AddressInfo } from 'node:net';

import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import type { INestApplication } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import { MercuriusDriver, type MercuriusDriverConfig } from '@nestjs/mercurius';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import request from 'supertest';

import { mercuriusSubscriptionContext } from '../../src';
import { AuthTestingModule, type AuthTestingOptions, TestTokenFactory } from '../../src/testing';
import { ArticlesResolver } from './articles.resolver';

/** `mercurius-bare`: Mercurius without {@link mercuriusSubscriptionContext}. */
export type GraphqlDriverName = 'apollo' | 'mercurius' | 'mercurius-bare';

export interface GraphqlTestApp {
  app: INestApplication;
  /** `ws://127.0.0.1:<port>/graphql`, for graphql-ws clients. */
  wsUrl: string;
  tokens: TestTokenFactory;
  /** POSTs one operation to `/graphql`, with `token` as a bearer when given. */
  query(query: string, token?: string, variables?: Record<string, unknown>): request.Test;
}

function graphqlModule(driver: GraphqlDriverName) {
  const common = { autoSchemaFile: true, fieldResolverEnhancers: ['guards' as const] };
  return driver === 'apollo'
    ? GraphQLModule.forRoot<ApolloDriverConfig>({
        ...common,
        driver: ApolloDriver,
        subscriptions: { 'graphql-ws': true },
      })
    : GraphQLModule.forRoot<MercuriusDriverConfig>({
        ...common,
        driver: MercuriusDriver,
        subscription: driver === 'mercurius' ? { context: mercuriusSubscriptionContext } : true,
      });
}

/**
 * The articles resolver behind AuthTestingModule (with `auth`'s options besides the role
 * hierarchy): Apollo on Express, or Mercurius on Fastify.
 */
export async function createGraphqlTestApp(
  driver: GraphqlDriverName,
  auth: AuthTestingOptions = {},
): Promise<GraphqlTestApp> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      AuthTestingModule.forRoot({
        roleHierarchy: { admin: ['editor'], editor: ['user'] },
        ...auth,
      }),
      graphqlModule(driver),
    ],
    providers: [ArticlesResolver],
  }).compile();
  let app: INestApplication;
  if (driver !== 'apollo') {
    const fastifyApp = moduleRef.createNestApplication<NestFastifyApplication>(
      new FastifyAdapter(),
    );
    await fastifyApp.listen(0, '127.0.0.1');
    app = fastifyApp;
  } else {
    app = moduleRef.createNestApplication(new ExpressAdapter());
    await app.listen(0, '127.0.0.1');
  }
  const { port } = app.getHttpServer().address() as AddressInfo;
  return {
    app,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    tokens: moduleRef.get(TestTokenFactory),
    query: (query, token, variables) => {
      const call = request(app.getHttpServer())
        .post('/graphql')
        .set('Content-Type', 'application/json');
      if (token !== undefined) call.set('Authorization', `Bearer ${token}`);
      return call.send({ query, variables });
    },
  };
}
