import type { AuthRequest } from './auth-request';
import { ExpiryTimer } from './expiry-timer';
import type { AuthPrincipal } from './interfaces/auth-principal.interface';

/** graphql-ws's close code for a refused connection (its `CloseCode.Unauthorized`). */
export const GRAPHQL_WS_UNAUTHORIZED = 4401;

interface ClosableSocket {
  close(code: number, reason: string): void;
  once(event: 'close', listener: () => void): unknown;
}

/** What graphql-ws hands Nest's Apollo driver as the context's `req` of a subscription. */
export interface GraphqlWsContext {
  connectionParams?: Readonly<Record<string, unknown>>;
  extra: { socket: ClosableSocket };
}

const requests = new WeakMap<object, AuthRequest>();

/** True for the graphql-ws context object (`connectionParams`, `extra.socket`). */
export function isGraphqlWsContext(value: unknown): value is GraphqlWsContext {
  const socket = (value as { extra?: { socket?: Partial<ClosableSocket> } } | null)?.extra?.socket;
  return typeof socket?.close === 'function' && typeof socket.once === 'function';
}

/**
 * The request of one graphql-ws connection: its token is `connectionParams.authorization`
 * (`'Bearer <token>'`, as browsers cannot set headers on a WebSocket), never the upgrade request's
 * query string. One object per connection, so the principal a guard sets is the one
 * `@CurrentUser()` reads; setting it arms a timer that closes the socket at the token's `exp`
 * with code 4401 and reason `ERR_TOKEN_EXPIRED`, which the client's close event carries. A
 * setter, so that HTTP requests pay nothing for it.
 */
export function graphqlWsRequestOf(context: GraphqlWsContext): AuthRequest {
  const known = requests.get(context);
  if (known) return known;
  const authorization = context.connectionParams?.authorization;
  const socket = context.extra.socket;
  let principal: unknown;
  const expiry = new ExpiryTimer(() => socket.close(GRAPHQL_WS_UNAUTHORIZED, 'ERR_TOKEN_EXPIRED'));
  socket.once('close', () => expiry.clear());
  const request: AuthRequest = {
    headers: typeof authorization === 'string' ? { authorization } : {},
    get user() {
      return principal;
    },
    set user(value: unknown) {
      principal = value;
      expiry.arm((value as Partial<AuthPrincipal> | undefined)?.expiresAt);
    },
  };
  requests.set(context, request);
  return request;
}
