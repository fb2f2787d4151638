import type { ExecutionContext } from '@nestjs/common';

import { graphqlWsRequestOf, isGraphqlWsContext } from './graphql-ws-request';
import { mercuriusSubscriptionRequestOf } from './mercurius-subscription.context';
import { socketRequestOf } from './socket-request';
import { rpcRequestOf } from './rpc-request';

/**
 * What the guards read the bearer token from and write the verified principal to: the HTTP
 * request, or its stand-in on another transport. A subclass of {@link JwtAuthGuard} gets it from
 * `getRequest(context)`.
 *
 * @example
 * ```ts
 * const request = this.getRequest<AuthRequest>(context);
 * const principal = request.user as AuthPrincipal | undefined;
 * ```
 */
export interface AuthRequest {
  headers?: Record<string, string | string[] | undefined>;
  user?: unknown;
}

interface GraphqlContext {
  req?: AuthRequest;
  reply?: { request?: AuthRequest };
}

/**
 * The request behind a guarded handler, on whatever transport it came: on HTTP `switchToHttp()
 * .getRequest()` as before, after one type comparison; on a WebSocket gateway the connection's
 * request ({@link socketRequestOf}); on a microservice message its own ({@link rpcRequestOf}).
 * A GraphQL resolver's context is the third
 * resolver argument (what `GqlExecutionContext.getContext()` returns): read here directly, so the
 * library needs nothing from `@nestjs/graphql` and it stays an optional peer.
 */
export function authRequestOf(context: ExecutionContext): AuthRequest {
  // A context built by hand (a unit test's) may have no getType: it stands for an HTTP request.
  const type = typeof context.getType === 'function' ? context.getType<string>() : 'http';
  if (type === 'graphql') {
    const gqlContext = context.getArgByIndex<unknown>(2);
    if (isSubscription(context.getArgByIndex<unknown>(3))) return subscriptionRequestOf(gqlContext);
    return graphqlRequestOf(gqlContext);
  }
  // A gateway's message: the connection's request, whose token came with the handshake.
  if (type === 'ws') return socketRequestOf(context.switchToWs().getClient<unknown>());
  if (type === 'rpc') return rpcRequestOf(context);
  return context.switchToHttp().getRequest<AuthRequest>();
}

/**
 * A subscription outlives the token it was opened with: it is authenticated only where the
 * library can close it at `exp`: on a graphql-ws connection of Apollo (see
 * {@link graphqlWsRequestOf}), or of Mercurius given {@link mercuriusSubscriptionContext}.
 * Anywhere else no token is read, so only a `@Public()` subscription opens.
 */
function subscriptionRequestOf(gqlContext: unknown): AuthRequest {
  const req = (gqlContext as GraphqlContext | null)?.req;
  if (isGraphqlWsContext(req)) return graphqlWsRequestOf(req);
  return mercuriusSubscriptionRequestOf(gqlContext) ?? {};
}

function isSubscription(info: unknown): boolean {
  if (typeof info !== 'object' || info === null) return false;
  const operation = (info as { operation?: { operation?: unknown } }).operation;
  return operation?.operation === 'subscription';
}

/**
 * Apollo (and Nest's default context) carries the HTTP request as `req`, Mercurius as
 * `reply.request`. A context with neither yields a fresh empty request: no token, so refused
 * unless the resolver is `@Public()`.
 */
function graphqlRequestOf(gqlContext: unknown): AuthRequest {
  if (typeof gqlContext !== 'object' || gqlContext === null) return {};
  const { req, reply } = gqlContext as GraphqlContext;
  if (isRequest(req)) return req;
  if (isRequest(reply?.request)) return reply.request;
  return {};
}

function isRequest(value: unknown): value is AuthRequest {
  return typeof value === 'object' && value !== null;
}
