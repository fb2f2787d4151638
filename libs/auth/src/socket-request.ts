import type { AuthRequest } from './auth-request';
import { describeAuthErrorForSocket } from './auth-error.response';
import { AuthError } from './auth.errors';
import { ExpiryTimer } from './expiry-timer';
import type { AuthPrincipal } from './interfaces/auth-principal.interface';

/** Close codes of a `ws` connection the library ends (graphql-ws uses the same 4401). */
export const WS_CLOSE_UNAUTHORIZED = 4401;
export const WS_CLOSE_FORBIDDEN = 4403;

/** A socket.io `Socket`, structurally: the library never loads socket.io. */
export interface IoSocket {
  handshake: { auth?: Record<string, unknown>; headers?: Record<string, unknown> };
  emit(event: string, payload: unknown): unknown;
  disconnect(close?: boolean): unknown;
  once(event: 'disconnect', listener: () => void): unknown;
}

/** A `ws` WebSocket, structurally. */
interface RawWebSocket {
  readyState: number;
  send(data: string): void;
  close(code: number, reason: string): void;
  once(event: 'close', listener: () => void): unknown;
}

const requests = new WeakMap<object, AuthRequest>();

function isIoSocket(client: object): client is IoSocket {
  return typeof (client as Partial<IoSocket>).handshake === 'object';
}

function isRawWebSocket(client: object): client is RawWebSocket {
  const socket = client as Partial<RawWebSocket>;
  return typeof socket.send === 'function' && typeof socket.close === 'function';
}

/**
 * The token a socket.io client presented at its handshake, as an `Authorization` value:
 * `auth: { token }` (what socket.io's docs show; `DPoP` when `auth.dpop` holds a proof),
 * `auth: { authorization: 'Bearer …' }`, or the upgrade request's `Authorization` header. Never
 * the query string.
 */
export function handshakeAuthorization(socket: IoSocket): string | undefined {
  const { auth, headers } = socket.handshake;
  if (typeof auth?.token === 'string')
    return `${auth.dpop === undefined ? 'Bearer' : 'DPoP'} ${auth.token}`;
  if (typeof auth?.authorization === 'string') return auth.authorization;
  return typeof headers?.authorization === 'string' ? headers.authorization : undefined;
}

/**
 * Tells a client why a message was refused: socket.io gets an `exception` event (Nest's
 * `WsException` convention), `ws` an `{ event: 'exception', data }` message.
 */
export function notifySocket(client: object, error: AuthError): void {
  const payload = describeAuthErrorForSocket(error);
  const OPEN = 1;
  if (isIoSocket(client)) client.emit('exception', payload);
  else if (isRawWebSocket(client) && client.readyState === OPEN)
    client.send(JSON.stringify({ event: 'exception', data: payload }));
}

/**
 * Ends a connection over an {@link AuthError}, with a reason the client can read: the
 * {@link notifySocket} message first, then socket.io's server-side disconnect, or for `ws` close
 * code 4401 (4403 for a role or scope refusal) with the error code as reason.
 */
export function disconnectSocket(client: object, error: AuthError): void {
  notifySocket(client, error);
  closeSocket(client, error);
}

/** The closing half of {@link disconnectSocket}, for a client already told why. */
export function closeSocket(client: object, error: AuthError): void {
  if (isIoSocket(client)) {
    client.disconnect(true);
  } else if (isRawWebSocket(client)) {
    const { error: kind } = describeAuthErrorForSocket(error);
    const forbidden = kind === 'forbidden' || kind === 'insufficient_scope';
    client.close(forbidden ? WS_CLOSE_FORBIDDEN : WS_CLOSE_UNAUTHORIZED, error.code);
  }
}

/**
 * The request of one WebSocket connection (a socket.io `Socket` or a `ws` WebSocket): one
 * object per connection, so the principal a guard sets is the one `@CurrentUser()` reads in
 * every handler of that connection, and never another connection's. Setting the principal arms
 * a timer that disconnects the socket at the token's `exp` (`ERR_TOKEN_EXPIRED`).
 *
 * The token is the socket.io handshake's (see {@link handshakeAuthorization}); a `ws` socket has
 * one only when `AuthWsAdapter` recorded its upgrade request's `Authorization` header.
 */
export function socketRequestOf(client: unknown, authorization?: string): AuthRequest {
  if (typeof client !== 'object' || client === null) return {};
  const known = requests.get(client);
  if (known) return known;
  const bearer = authorization ?? (isIoSocket(client) ? handshakeAuthorization(client) : undefined);
  let principal: unknown;
  const expiry = new ExpiryTimer(() =>
    disconnectSocket(client, new AuthError('ERR_TOKEN_EXPIRED', 'the token has expired')),
  );
  const onClose = () => expiry.clear();
  if (isIoSocket(client)) client.once('disconnect', onClose);
  else if (isRawWebSocket(client)) client.once('close', onClose);
  const request: AuthRequest = {
    headers: bearer === undefined ? {} : { authorization: bearer },
    get user() {
      return principal;
    },
    set user(value: unknown) {
      principal = value;
      expiry.arm((value as Partial<AuthPrincipal> | undefined)?.expiresAt);
    },
  };
  requests.set(client, request);
  return request;
}
