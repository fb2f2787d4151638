import type { ExecutionContext } from '@nestjs/common';

/** What the guards read the bearer token from and write the verified principal to. */
export interface AuthRequest {
  headers?: Record<string, string | string[] | undefined>;
  user?: unknown;
}

interface GraphqlContext {
  req?: AuthRequest;
  reply?: { request?: AuthRequest };
}

/**
 * The request behind a guarded handler, on whatever transport it came: on HTTP (and, until they
 * get their own, on WebSocket and RPC) `switchToHttp().getRequest()` as before, after one type
 * comparison. A GraphQL resolver's context is the third
 * resolver argument (what `GqlExecutionContext.getContext()` returns): read here directly, so the
 * library needs nothing from `@nestjs/graphql` and it stays an optional peer.
 */
export function authRequestOf(context: ExecutionContext): AuthRequest {
  // A context built by hand (a unit test's) may have no getType: it stands for an HTTP request.
  if (typeof context.getType === 'function' && context.getType<string>() === 'graphql') {
    if (isSubscription(context.getArgByIndex<unknown>(3))) return {};
    return graphqlRequestOf(context.getArgByIndex<unknown>(2));
  }
  return context.switchToHttp().getRequest<AuthRequest>();
}

/**
 * A subscription outlives the token it was opened with, and nothing closes it at `exp` yet: so
 * no token is read for one (Mercurius would hand over `connection_init`'s), and only a
 * `@Public()` subscription opens. Fail closed until expiry is enforced.
 */
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
