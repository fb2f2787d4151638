import type { AuthRequest } from './auth-request';
import {
  type GraphqlWsContext,
  graphqlWsRequestOf,
  type UpgradeRequest,
} from './graphql-ws-request';

/** Where {@link mercuriusSubscriptionContext} puts the connection's socket in the context. */
const SUBSCRIPTION_SOCKET = Symbol('auth:subscription_socket');

type ClosableSocket = GraphqlWsContext['extra']['socket'];

/** One graphql-ws context per Mercurius connection, so its principal and expiry timer are shared. */
const connections = new WeakMap<object, GraphqlWsContext>();

/**
 * Mercurius's `subscription.context`, which lets guarded subscriptions open on the Mercurius
 * driver: it hands the library the connection's socket, so the library can close the
 * connection at the token's `exp` (code 4401, reason `ERR_TOKEN_EXPIRED`), as it does on Apollo.
 * Without it, only `@Public()` subscriptions open on Mercurius: a subscription the library
 * cannot end would outlive its token.
 *
 * The token is the `authorization` of graphql-ws's `connectionParams` (Mercurius copies them
 * into the request's headers, never over a header the upgrade request carried), never a query
 * string. A DPoP-bound token is proven as on Apollo (see `graphqlWsRequestOf`).
 *
 * @example
 * ```ts
 * GraphQLModule.forRoot<MercuriusDriverConfig>({
 *   driver: MercuriusDriver,
 *   autoSchemaFile: true,
 *   subscription: { context: mercuriusSubscriptionContext },
 * });
 * // Keeping a context of your own:
 * subscription: {
 *   context: (socket, request) => ({ ...mercuriusSubscriptionContext(socket), tenant: request.hostname }),
 * },
 * ```
 */
export function mercuriusSubscriptionContext(socket: unknown): Record<symbol, unknown> {
  return { [SUBSCRIPTION_SOCKET]: socket };
}

/**
 * The request of a Mercurius subscription whose context came from
 * {@link mercuriusSubscriptionContext}; `undefined` for any other context.
 */
export function mercuriusSubscriptionRequestOf(gqlContext: unknown): AuthRequest | undefined {
  if (typeof gqlContext !== 'object' || gqlContext === null) return undefined;
  const socket = (gqlContext as Record<symbol, unknown>)[SUBSCRIPTION_SOCKET];
  if (!isClosableSocket(socket)) return undefined;
  let connection = connections.get(socket);
  if (!connection) {
    const upgrade = (gqlContext as { reply?: { request?: UpgradeRequest } }).reply?.request;
    const authorization = upgrade?.headers.authorization;
    connection = {
      connectionParams: typeof authorization === 'string' ? { authorization } : {},
      // Mercurius has copied the connection parameters into these headers (never over one the
      // upgrade carried): `dpop` among them, when the client sent its proof there.
      extra: { socket, ...(upgrade?.headers ? { request: upgrade } : {}) },
    };
    connections.set(socket, connection);
  }
  return graphqlWsRequestOf(connection);
}

function isClosableSocket(value: unknown): value is ClosableSocket {
  const socket = value as Partial<ClosableSocket> | null | undefined;
  return typeof socket?.close === 'function' && typeof socket.once === 'function';
}
