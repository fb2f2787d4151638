import type { AuthRequest } from './auth-request';
import { type DpopHandshake, recordDpopHandshake } from './dpop/dpop-connection';
import { ExpiryTimer } from './expiry-timer';
import type { AuthPrincipal } from './interfaces/auth-principal.interface';

/** graphql-ws's close code for a refused connection (its `CloseCode.Unauthorized`). */
export const GRAPHQL_WS_UNAUTHORIZED = 4401;

interface ClosableSocket {
  close(code: number, reason: string): void;
  once(event: 'close', listener: () => void): unknown;
}

/** The upgrade request of a graphql-ws connection (`ws`'s `IncomingMessage`), structurally. */
export interface UpgradeRequest {
  method?: string;
  url?: string;
  headers: Record<string, string | string[] | undefined>;
  socket?: { encrypted?: boolean };
  protocol?: string;
}

/** What graphql-ws hands Nest's Apollo driver as the context's `req` of a subscription. */
export interface GraphqlWsContext {
  connectionParams?: Readonly<Record<string, unknown>>;
  extra: { socket: ClosableSocket; request?: UpgradeRequest };
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
 *
 * A DPoP-bound token (`authorization: 'DPoP <token>'`) is proven by `connectionParams.dpop` (or
 * the upgrade's `DPoP` header): a proof of `GET` and the upgrade URL, checked once, with the
 * connection's first guarded operation.
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
  const upgrade = context.extra.request;
  if (upgrade)
    recordDpopHandshake(request, upgradeHandshake(upgrade, context.connectionParams?.dpop));
  requests.set(context, request);
  return request;
}

/** A graphql-ws connection's upgrade request, with the proof its client sent. */
export function upgradeHandshake(upgrade: UpgradeRequest, paramsProof: unknown): DpopHandshake {
  return {
    method: upgrade.method ?? 'GET',
    path: upgrade.url ?? '',
    host: upgrade.headers.host,
    secure: upgrade.socket?.encrypted === true || upgrade.protocol === 'https',
    // The upgrade's own header first: connection parameters are the client's to fill in.
    proof: upgrade.headers.dpop ?? paramsProof,
  };
}
