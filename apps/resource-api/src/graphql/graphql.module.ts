import { GraphQLModule } from '@nestjs/graphql';
import { MercuriusDriver, type MercuriusDriverConfig } from '@nestjs/mercurius';

import { mercuriusSubscriptionContext } from '@jwt-token/auth';

/** Deeper queries are refused before they run: nothing in this schema nests that far. */
const MAX_QUERY_DEPTH = 8;

/**
 * `/graphql` on Mercurius (the service runs on Fastify), subscriptions over graphql-ws on the
 * same path. The schema is built from the resolvers in memory; no file is written.
 */
export const ResourceGraphqlModule = GraphQLModule.forRoot<MercuriusDriverConfig>({
  driver: MercuriusDriver,
  path: '/graphql',
  autoSchemaFile: true,
  graphiql: false,
  queryDepth: MAX_QUERY_DEPTH,
  // Refuses simple (form-like) requests, so a page on another site cannot run a mutation.
  // Mercurius checks the WebSocket upgrade too: its Sec-WebSocket-Key is a header no page can set
  // on a simple request, so it marks the request as not one (and subscriptions take no cookie).
  csrfPrevention: {
    allowedContentTypes: ['application/json', 'application/graphql'],
    requiredHeaders: [
      'x-mercurius-operation-name',
      'mercurius-require-preflight',
      'sec-websocket-key',
    ],
  },
  // Lets the library guard subscriptions and close them at the token's expiry.
  subscription: { context: mercuriusSubscriptionContext },
  // @Roles/@Scopes on field resolvers are checked too.
  fieldResolverEnhancers: ['guards'],
});
